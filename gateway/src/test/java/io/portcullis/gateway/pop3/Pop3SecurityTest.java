package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attacks of ../shared/THREATS.md that apply to a POP3 server, each named after its class. */
class Pop3SecurityTest {
  @TempDir Path dataDir;
  private GatewayFixture fixture;

  private GatewayFixture start(GatewayLimits limits) throws Exception {
    fixture = GatewayFixture.withGreenMail(dataDir, limits);
    fixture.user("alice", "s3cret-Pa55");
    return fixture;
  }

  private GatewayFixture start() throws Exception {
    return start(GatewayLimits.defaults());
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void s1StlsCommandInjectionShouldBeRefusedAndTheConnectionClosed() throws Exception {
    start();
    try (LineClient client = LineClient.plain(fixture.pop3Starttls())) {
      client.readLine();
      client.send("STLS\r\nCAPA\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.STLS_PIPELINED.text());
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void s1PartialLineAfterStlsShouldAlsoBeRefused() throws Exception {
    start();
    try (LineClient client = LineClient.plain(fixture.pop3Starttls())) {
      client.readLine();
      client.send("STLS\r\nCAP");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.STLS_PIPELINED.text());
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void s2CredentialsShouldBeRefusedAndNotAdvertisedBeforeTls() throws Exception {
    start();
    try (LineClient client = LineClient.plain(fixture.pop3Starttls())) {
      client.readLine();
      client.send("CAPA\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readMultiLine())
          .contains("STLS")
          .doesNotContain("USER")
          .noneMatch(l -> l.startsWith("SASL"));
      client.send("USER alice\r\n");
      assertThat(client.readLine()).isEqualTo("-ERR [AUTH] TLS required");
      client.send("PASS s3cret-Pa55\r\n");
      assertThat(client.readLine()).isEqualTo("-ERR [AUTH] TLS required");
      client.send("AUTH PLAIN " + plain("alice", "s3cret-Pa55") + "\r\n");
      assertThat(client.readLine()).isEqualTo("-ERR [AUTH] TLS required");
    }
  }

  @Test
  void s3AfterStlsTheSessionShouldStartAfreshAndAllowLogin() throws Exception {
    start();
    try (LineClient client = LineClient.plain(fixture.pop3Starttls())) {
      client.readLine();
      client.send("STLS\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.BEGIN_TLS.text());
      client.startTls(fixture.trust());
      client.send("CAPA\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readMultiLine()).contains("USER").doesNotContain("STLS");
      client.send("STLS\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.STLS_UNAVAILABLE.text());
      client.send("PASS s3cret-Pa55\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.NO_USER.text());
      client.send("USER alice\r\nPASS s3cret-Pa55\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
    }
  }

  @Test
  void p3NulInUserNameShouldBeRefused() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.sendBytes("USER ali\0ce\r\n".getBytes(StandardCharsets.ISO_8859_1));
      assertThat(client.readLine()).isEqualTo(Pop3Reply.SYNTAX_ERROR.text());
    }
  }

  @Test
  void p6OverlongPreAuthLineShouldBeRefusedWithoutEndingTheSession() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("USER " + "a".repeat(100_000) + "\r\nNOOP\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LINE_TOO_LONG.text());
      assertThat(client.readLine()).isEqualTo("+OK");
    }
  }

  @Test
  void p7BadCommandBudgetShouldCloseTheConnection() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("A\r\nB\r\nC\r\nD\r\nE\r\nF\r\nG\r\n");
      for (int i = 0; i < GatewayLimits.DEFAULT_MAX_BAD_COMMANDS; i++) {
        assertThat(client.readLine()).isEqualTo(Pop3Reply.UNKNOWN_COMMAND.text());
      }
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TOO_MANY_ERRORS.text());
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void p8SlowlorisShouldBeCutOffByTheLoginDeadline() throws Exception {
    start(limits(Duration.ofSeconds(1)));
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("U");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGIN_TIMEOUT.text());
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void a2FailuresShouldLookIdenticalForUnknownUserAndWrongPassword() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("USER nobody\r\nPASS whatever\r\n");
      client.readLine();
      String unknownUser = client.readLine();
      client.send("USER alice\r\nPASS wrong\r\n");
      client.readLine();
      String wrongPassword = client.readLine();
      assertThat(unknownUser).isEqualTo(wrongPassword).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
  }

  @Test
  void repeatedLoginFailuresShouldCloseTheConnection() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      for (int i = 1; i < GatewayLimits.DEFAULT_MAX_AUTH_ATTEMPTS; i++) {
        client.send("USER alice\r\nPASS wrong\r\n");
        client.readLine();
        assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
      }
      client.send("USER alice\r\nPASS wrong\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TOO_MANY_FAILURES.text());
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void a4SaslExchangesShouldHandleInitialResponsesContinuationsAndCancel() throws Exception {
    start();
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("AUTH PLAIN\r\n");
      assertThat(client.readLine()).isEqualTo("+ ");
      client.send("*\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_CANCELLED.text());
      client.send("AUTH PLAIN !!notbase64\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
      client.send("AUTH LOGIN\r\n");
      assertThat(client.readLine()).startsWith("+ ");
      client.send(b64("alice") + "\r\n");
      assertThat(client.readLine()).startsWith("+ ");
      client.send(b64("s3cret-Pa55") + "\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
    }
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("AUTH PLAIN " + plain("alice", "s3cret-Pa55") + "\r\nSTAT\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(client.readLine()).startsWith("+OK 0 ");
    }
  }

  @Test
  void credentialsShouldNeverAppearInAnyLogLine() throws Exception {
    start();
    try (CapturedLogs logs = new CapturedLogs()) {
      try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
        client.readLine();
        client.send("USER alice\r\nPASS Wr0ng-Guess-77\r\n");
        client.readLine();
        client.readLine();
        client.send("AUTH PLAIN " + plain("alice", "s3cret-Pa55") + "\r\nQUIT\r\n");
        client.readLine();
        client.readLine();
      }
      fixture.close();
      fixture = null;
      assertThat(logs.audit()).hasSize(2);
      assertThat(logs.lines())
          .noneMatch(l -> l.contains("s3cret-Pa55"))
          .noneMatch(l -> l.contains("Wr0ng-Guess-77"))
          .noneMatch(l -> l.contains(plain("alice", "s3cret-Pa55")));
    }
  }

  @Test
  void everyLoginAttemptShouldLeaveOneAuditLine() throws Exception {
    start();
    try (CapturedLogs logs = new CapturedLogs()) {
      try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
        client.readLine();
        client.send("USER alice\r\nPASS nope\r\n");
        client.readLine();
        client.readLine();
        client.send("USER alice\r\nPASS s3cret-Pa55\r\nQUIT\r\n");
        client.readLine();
        client.readLine();
        client.readLine();
      }
      assertThat(logs.audit())
          .hasSize(2)
          .first()
          .asString()
          .contains("\"event\":\"login\"")
          .contains("\"user\":\"alice\"")
          .contains("\"mechanism\":\"USER\"")
          .contains("\"outcome\":\"failure\"")
          .contains("\"reason\":\"upstream-rejected\"")
          .contains("\"source\":\"127.0.0.1\"")
          .contains("\"session\":");
      assertThat(logs.audit().get(1)).contains("\"outcome\":\"success\"");
    }
  }

  private static GatewayLimits limits(Duration loginTimeout) {
    return new GatewayLimits(
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        loginTimeout,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }

  private static String plain(String user, String password) {
    return b64("\0" + user + "\0" + password);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
