package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayLimits;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The IMAP limits in the configuration: defaults and the RFC floor on the idle timeout. */
class ImapLimitsTest {

  @Test
  void defaultsShouldFollowTheThreatModelAndRfc9051() {
    GatewayLimits limits = GatewayLimits.defaults();
    assertThat(limits.preAuthLiteralSize()).isEqualTo(8 * 1024);
    assertThat(limits.imapIdleTimeout()).isGreaterThanOrEqualTo(Duration.ofMinutes(30));
    assertThat(limits.postAuthLiteralSize()).isGreaterThan(50L * 1024 * 1024);
    assertThat(limits.imapForwardClientAddress()).isFalse();
  }

  @Test
  void idleTimeoutUnderThirtyMinutesShouldBeRefusedNamingTheKey() {
    assertThatThrownBy(() -> ConfigLoader.parse("test.yml", "limits:\n  imap-idle-timeout: 29m\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("imap-idle-timeout")
        .hasMessageContaining("30m");
  }

  @Test
  void imapKeysShouldBeReadFromYaml() throws ConfigException {
    GatewayLimits limits =
        ConfigLoader.parse(
                "test.yml",
                """
                limits:
                  pre-auth-literal-size: 4096
                  post-auth-literal-size: 1048576
                  imap-idle-timeout: 45m
                  imap-forward-client-address: true
                """)
            .limits();
    assertThat(limits.preAuthLiteralSize()).isEqualTo(4096);
    assertThat(limits.postAuthLiteralSize()).isEqualTo(1048576L);
    assertThat(limits.imapIdleTimeout()).isEqualTo(Duration.ofMinutes(45));
    assertThat(limits.imapForwardClientAddress()).isTrue();
  }

  @Test
  void postAuthLiteralSizeBelowThePreAuthOneShouldBeRefused() {
    assertThatThrownBy(
            () -> ConfigLoader.parse("test.yml", "limits:\n  post-auth-literal-size: 100\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("post-auth-literal-size");
  }
}
