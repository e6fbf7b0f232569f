package io.portcullis.auth.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.auth.AuthRequest;
import io.portcullis.auth.AuthResult;
import io.portcullis.auth.Factor;
import io.portcullis.auth.PasswordCredentials;
import io.portcullis.auth.Principal;
import io.portcullis.auth.Secret;
import io.portcullis.auth.UpstreamCredential;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuditFormatterTest {
  private static final Instant T = Instant.parse("2026-11-24T12:00:00Z");

  @Test
  void failedLoginShouldBeOneJsonLineWithReasonAndDelayButNoPassword() throws Exception {
    AuthRequest request =
        new AuthRequest(
            PasswordCredentials.of("alice", Secret.of("hunter2-123456")),
            InetAddress.getByName("192.0.2.1"),
            "imap",
            true);
    String line =
        AuditFormatter.toJsonLine(
            AuthEvent.login(
                T, "s-1", request, new AuthResult.Failure("bad-otp", Duration.ofSeconds(4))));
    assertThat(line).doesNotContain("hunter2").doesNotContain("123456").doesNotContain("\n");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("event").asText()).isEqualTo("login");
    assertThat(json.get("user").asText()).isEqualTo("alice");
    assertThat(json.get("source").asText()).isEqualTo("192.0.2.1");
    assertThat(json.get("outcome").asText()).isEqualTo("failure");
    assertThat(json.get("reason").asText()).isEqualTo("bad-otp");
    assertThat(json.get("delay_ms").asLong()).isEqualTo(4000);
  }

  @Test
  void successfulLoginShouldListFactorsButNotTheUpstreamSecret() throws Exception {
    AuthRequest request =
        new AuthRequest(
            PasswordCredentials.of("alice", Secret.of("pw")),
            InetAddress.getByName("2001:db8::1"),
            "pop3",
            true);
    AuthResult success =
        new AuthResult.Success(
            new Principal(
                "alice", Set.of(), "password", Set.of(Factor.PASSWORD, Factor.TOTP), "alice"),
            new UpstreamCredential.Password("alice", Secret.of("upstream-secret")));
    String line = AuditFormatter.toJsonLine(AuthEvent.login(T, "s-2", request, success));
    assertThat(line).doesNotContain("upstream-secret");
    JsonNode json = new ObjectMapper().readTree(line);
    assertThat(json.get("factors").toString()).isEqualTo("[\"password\",\"totp\"]");
    assertThat(json.has("reason")).isFalse();
  }

  @Test
  void logInjectionThroughTheUserNameShouldStayInsideOneEscapedField() throws Exception {
    String evil = "alice\n{\"event\":\"login\",\"outcome\":\"success\"}" + "x".repeat(1000);
    AuthEvent event = AuthEvent.admin(T, AuthEvent.Type.USER_REMOVED, evil, "remove");
    String line = AuditFormatter.toJsonLine(event);
    assertThat(line).doesNotContain("\n");
    assertThat(new ObjectMapper().readTree(line).get("user").asText())
        .startsWith("alice\n{")
        .hasSizeLessThan(300);
  }
}
