package io.portcullis.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

  @Test
  void fullConfigShouldLoadIntoRecords() throws Exception {
    GatewayConfig c =
        ConfigLoader.parse(
            "test.yml",
            """
            data-dir: /var/lib/portcullis
            listeners:
              - url: pop3s://0.0.0.0:995
              - url: pop3+starttls://0.0.0.0:110
            upstreams:
              - url: pop3s://mail.example.com
                tls:
                  ca: /etc/ssl/corp-ca.pem
            tls:
              profile: modern
              certificates:
                - cert: /etc/portcullis/fullchain.pem
                  key: /etc/portcullis/privkey.pem
            limits:
              login-timeout: 90s
              idle-timeout: 15m
              max-connections-per-source: 20
            """);
    assertThat(c.listeners()).hasSize(2);
    assertThat(c.upstream(Protocol.POP3).orElseThrow().tls().ca())
        .isEqualTo(Path.of("/etc/ssl/corp-ca.pem"));
    assertThat(c.tls().profile()).isEqualTo("modern");
    assertThat(c.limits().loginTimeout()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.limits().idleTimeout()).isEqualTo(Duration.ofMinutes(15));
    assertThat(c.limits().maxConnectionsPerSource()).isEqualTo(20);
    assertThat(c.limits().preAuthLineLength()).isEqualTo(GatewayLimits.DEFAULT_PRE_AUTH_LINE);
    assertThat(c.checkRunnable()).isSameAs(c);
  }

  @Test
  void authSectionAsDocumentedShouldMapOntoTheAuthModuleSettings() throws Exception {
    GatewayConfig c =
        ConfigLoader.parse(
            "auth.yml",
            """
            data-dir: /var/lib/portcullis
            policy: /etc/portcullis/policy.yml
            auth:
              mode: local
              key-file: /etc/portcullis/master.key
              second-factor:
                required: groups
                groups: [admins]
                separator: "/"
              totp: {issuer: Corp, algorithm: SHA256, digits: 8, period: 30, window: 2}
              password:
                argon2: {memory-kib: 65536, iterations: 3, parallelism: 1}
                max-concurrent: 2
              throttle: {initial-delay: 1s, max-delay: 10s, source-block-threshold: 20}
              bearer:
                jwks-uri: https://login.example.com/jwks.json
                issuer: https://login.example.com
                audiences: [portcullis]
                user-claim: email
                jwks-min-refresh-interval: 1m
            """);
    var settings = c.auth().toSettings(c.dataDir());
    assertThat(settings.mode().name()).isEqualTo("LOCAL");
    assertThat(settings.usersFile()).isEqualTo(Path.of("/var/lib/portcullis/users.yml"));
    assertThat(settings.secondFactor().groups()).containsExactly("admins");
    assertThat(settings.totp().parameters().digits()).isEqualTo(8);
    assertThat(settings.password().cost().memoryKib()).isEqualTo(65536);
    assertThat(settings.throttle().initialDelay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(settings.throttle().sourceBlockThreshold()).isEqualTo(20);
    assertThat(settings.bearer().orElseThrow().userClaim()).isEqualTo("email");
    assertThat(c.policy()).isEqualTo(Path.of("/etc/portcullis/policy.yml"));
  }

  @Test
  void filterSectionShouldLoadAndDefaultWhenAbsent() throws Exception {
    GatewayConfig c =
        ConfigLoader.parse(
            "filter.yml",
            """
            filter:
              model: /var/lib/portcullis/spam-model.bin
              scan-timeout: 10s
              scan-threads: 3
              quarantine-dir: /srv/quarantine
              quarantine-mailbox: Held
              junk-mailbox: Spam
              scan-budget: 2m
            """);

    assertThat(c.filter().scanTimeoutDuration()).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(c.filter().threads()).isEqualTo(3);
    assertThat(c.filter().quarantineDir()).isEqualTo(java.nio.file.Path.of("/srv/quarantine"));
    assertThat(c.filter().quarantineMailbox()).isEqualTo("Held");
    assertThat(c.filter().junkMailbox()).isEqualTo("Spam");
    assertThat(c.filter().scanBudgetDuration()).isEqualTo(java.time.Duration.ofMinutes(2));
    assertThat(GatewayConfig.empty().filter().quarantineMailbox()).isEqualTo("Quarantine");
    assertThat(GatewayConfig.empty().filter().scanTimeoutDuration())
        .isEqualTo(java.time.Duration.ofSeconds(30));
  }

  @Test
  void quarantineMailboxNamedInboxShouldBeRefused() {
    assertThatThrownBy(() -> ConfigLoader.parse("f.yml", "filter:\n  quarantine-mailbox: inbox\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("f.yml:1:1: filter: ")
        .hasMessageContaining("quarantine-mailbox must be a plain mailbox name other than INBOX");
  }

  @Test
  void unknownKeyShouldBeNamedWithLineAndAlternatives() {
    assertThatThrownBy(() -> ConfigLoader.parse("p.yml", "limits:\n  login-timout: 5s\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("p.yml:2:")
        .hasMessageContaining("unknown key 'limits.login-timout'")
        .hasMessageContaining("login-timeout");
  }

  @Test
  void badValuesShouldNameKeyValueAndExpectation() {
    assertThatThrownBy(() -> ConfigLoader.parse("p.yml", "limits:\n  idle-timeout: soon\n"))
        .hasMessageContaining("limits.idle-timeout")
        .hasMessageContaining("'soon' is not a duration");
    assertThatThrownBy(() -> ConfigLoader.parse("p.yml", "listeners:\n  - url: http://x\n"))
        .hasMessageContaining("listeners[0].url")
        .hasMessageContaining("scheme 'http'");
    assertThatThrownBy(() -> ConfigLoader.parse("p.yml", "tls:\n  profile: old\n"))
        .hasMessageContaining("tls.profile is 'old'")
        .hasMessageContaining("intermediate, modern");
    assertThatThrownBy(() -> ConfigLoader.parse("p.yml", "limits:\n  max-bad-commands: 0\n"))
        .hasMessageContaining("max-bad-commands must be at least 1");
  }

  @Test
  void plaintextListenerShouldNeedTheFlagAndLoopback() throws Exception {
    GatewayConfig open =
        ConfigLoader.parse(
            "p.yml",
            "listeners:\n  - url: pop3://0.0.0.0:110\nupstreams:\n  - url: pop3://127.0.0.1:1\n");
    assertThatThrownBy(open::checkRunnable).hasMessageContaining("plaintext listener");
    GatewayConfig flagged =
        ConfigLoader.parse(
            "p.yml",
            "insecure-listener: true\nlisteners:\n  - url: pop3://0.0.0.0:110\n"
                + "upstreams:\n  - url: pop3://127.0.0.1:1\n");
    assertThatThrownBy(flagged::checkRunnable).hasMessageContaining("not on loopback");
  }

  @Test
  void listenerWithoutUpstreamShouldBeReported() throws Exception {
    GatewayConfig c = ConfigLoader.parse("p.yml", "listeners:\n  - url: imaps://0.0.0.0:993\n");
    assertThatThrownBy(c::checkRunnable).hasMessageContaining("needs an upstream for imap");
  }

  @Test
  void exampleConfigShouldLoadAndBeRunnable() throws Exception {
    Path example = Path.of("..", "examples", "portcullis.yml");
    assertThat(Files.exists(example)).as("examples/portcullis.yml exists").isTrue();
    assertThat(ConfigLoader.load(example).checkRunnable().listeners()).isNotEmpty();
  }
}
