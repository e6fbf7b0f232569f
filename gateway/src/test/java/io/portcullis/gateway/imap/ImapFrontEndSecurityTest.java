package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The not-authenticated state against a real gateway and GreenMail, one test per threat. */
class ImapFrontEndSecurityTest {
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.withGreenMail(
            GatewayFixture.SHARED_DATA_DIR, GatewayFixture.limits(5, Duration.ofSeconds(3), false));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static InetSocketAddress starttls() {
    return gateway.address(gateway.starttls);
  }

  private static InetSocketAddress plain() {
    return gateway.address(gateway.plain);
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void starttlsInjectionShouldNeverExecuteCommandsPipelinedAfterStarttls() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(starttls())) {
      c.readLine();
      c.send("A STARTTLS\r\nB NOOP\r\n");
      List<String> lines = new ArrayList<>();
      String line;
      while ((line = c.readLine()) != null) {
        lines.add(line);
      }
      assertThat(lines).containsExactly("* BYE Commands after STARTTLS are not allowed, closing");
    }
  }

  @Test
  void plaintextLoginShouldBeRefusedAndNotAdvertisedBeforeStarttls() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(starttls())) {
      assertThat(c.readLine())
          .contains("LOGINDISABLED")
          .contains("STARTTLS")
          .doesNotContain("AUTH=");
      c.send("a LOGIN demo demo\r\n");
      assertThat(c.readLine()).isEqualTo("a NO [PRIVACYREQUIRED] TLS is required to log in");
      c.send("b AUTHENTICATE PLAIN " + b64("\0demo\0demo") + "\r\n");
      assertThat(c.readLine()).isEqualTo("b NO [PRIVACYREQUIRED] TLS is required to log in");
      c.send("c LOGIN demo {4}\r\n");
      assertThat(c.readLine()).isEqualTo("c NO [PRIVACYREQUIRED] TLS is required to log in");
    }
  }

  @Test
  void capabilitiesShouldBeRecomputedAfterStarttlsAndLoginThenSucceed() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(starttls())) {
      c.readLine();
      c.send("a ID (\"name\" \"x\")\r\n");
      assertThat(c.readLine()).isEqualTo("* ID NIL");
      assertThat(c.readLine()).isEqualTo("a OK ID completed");
      c.send("s STARTTLS\r\n");
      assertThat(c.readLine()).isEqualTo("s OK Begin TLS negotiation now");
      c.startTls(starttls());
      c.send("c CAPABILITY\r\n");
      assertThat(c.readLine())
          .isEqualTo("* CAPABILITY IMAP4rev1 SASL-IR LITERAL- ID AUTH=PLAIN AUTH=LOGIN");
      assertThat(c.readLine()).isEqualTo("c OK CAPABILITY completed");
      c.send("d STARTTLS\r\n");
      assertThat(c.readLine()).isEqualTo("d BAD TLS already active");
      c.send("l LOGIN demo {4}\r\n");
      assertThat(c.readLine()).isEqualTo("+ Ready for literal data");
      c.send("demo\r\n");
      assertThat(c.readLine()).startsWith("l OK [CAPABILITY IMAP4rev1 ").endsWith("] Logged in");
    }
  }

  @Test
  void literalOfUnknownCommandShouldNeverBeExecuted() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a03 FOOBAR {14+}\r\nz LOGOUT\r\nxx \r\na04 NOOP\r\n");
      assertThat(c.readLine()).isEqualTo("a03 BAD Unknown command or not valid in this state");
      assertThat(c.readLine()).isEqualTo("a04 OK NOOP completed");
    }
  }

  @Test
  void absurdLiteralSizeShouldBeRefusedWithoutAllocating() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN {4294967295}\r\n");
      assertThat(c.readLine()).isEqualTo("a BAD [TOOBIG] Literal too large");
      c.send("b LOGIN {99999999999999999999}\r\n");
      assertThat(c.readLine()).isEqualTo("b BAD [TOOBIG] Literal too large");
      c.send("c NOOP\r\n");
      assertThat(c.readLine()).isEqualTo("c OK NOOP completed");
      c.send("d LOGIN {4294967295+}\r\n");
      assertThat(c.readLine()).isEqualTo("* BYE [TOOBIG] Literal too large, closing");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void nonSyncLiteralOverPreAuthLimitShouldCloseWithoutReadingIt() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN demo {9000+}\r\n" + "b LOGOUT\r\n".repeat(900));
      assertThat(c.readLine()).isEqualTo("* BYE [TOOBIG] Literal too large, closing");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void nulInQuotedUserNameShouldBeRefused() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN \"de\0mo\" demo\r\n");
      assertThat(c.readLine()).isEqualTo("a BAD Syntax error");
    }
  }

  @Test
  void lineBreakInLiteralUserNameShouldFailLoginUniformly() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN {16+}\r\ndemo\r\nx LOGOUT\r\n demo\r\n");
      assertThat(c.readLine()).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void unterminatedNestingShouldBeBoundedByTheLineLimit() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a NOOP " + "(".repeat(100_000));
      c.send("\r\nb NOOP\r\n");
      assertThat(c.readLine()).isEqualTo("* BAD Line too long");
      assertThat(c.readLine()).isEqualTo("b OK NOOP completed");
    }
  }

  @Test
  void preAuthLineOverEightKibShouldBeRefused() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN demo " + "x".repeat(8200) + "\r\n");
      assertThat(c.readLine()).isEqualTo("* BAD Line too long");
    }
  }

  @Test
  void badCommandBudgetShouldCloseTheConnection() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      for (int i = 0; i < 5; i++) {
        c.send("t" + i + " SELECT INBOX\r\n");
        assertThat(c.readLine()).startsWith("t" + i + " BAD");
      }
      c.send("t5 SELECT INBOX\r\n");
      assertThat(c.readLine()).isEqualTo("* BYE Too many errors, closing");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void slowlorisShouldBeCutByTheLoginDeadline() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a NO");
      assertThat(c.readLine()).isEqualTo("* BYE Login time exceeded, closing");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void authenticationFailuresShouldLookTheSameForUnknownUserAndWrongPassword() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN demo wrong\r\n");
      String wrongPassword = c.readLine();
      c.send("b LOGIN nobody wrong\r\n");
      String unknownUser = c.readLine();
      assertThat(wrongPassword).isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
      assertThat(unknownUser).isEqualTo("b NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void tooManyFailedLoginsShouldCloseTheConnection() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      for (int i = 0; i < 2; i++) {
        c.send("a" + i + " LOGIN demo wrong\r\n");
        assertThat(c.readLine()).startsWith("a" + i + " NO [AUTHENTICATIONFAILED]");
      }
      c.send("a2 LOGIN demo wrong\r\n");
      assertThat(c.readLine()).startsWith("a2 NO [AUTHENTICATIONFAILED]");
      assertThat(c.readLine()).isEqualTo("* BYE Too many authentication failures, closing");
    }
  }

  @Test
  void everySaslRetryAndCancelPathShouldAnswerUniformly() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a AUTHENTICATE PLAIN\r\n");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send("*\r\n");
      assertThat(c.readLine()).isEqualTo("a BAD Authentication cancelled");
      c.send("b AUTHENTICATE PLAIN\r\n");
      assertThat(c.readLine()).isEqualTo("+ ");
      c.send("not base64!\r\n");
      assertThat(c.readLine()).isEqualTo("b NO [AUTHENTICATIONFAILED] Authentication failed");
      c.send("c AUTHENTICATE PLAIN =\r\n");
      assertThat(c.readLine()).isEqualTo("c NO [AUTHENTICATIONFAILED] Authentication failed");
      c.send("d AUTHENTICATE CRAM-MD5\r\n");
      assertThat(c.readLine()).isEqualTo("d NO Unsupported authentication mechanism");
    }
  }

  @Test
  void saslLoginAndPlainWithInitialResponseShouldLogIn() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a AUTHENTICATE LOGIN\r\n");
      assertThat(c.readLine()).startsWith("+ ");
      c.send(b64("demo") + "\r\n");
      assertThat(c.readLine()).startsWith("+ ");
      c.send(b64("demo") + "\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
    }
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a AUTHENTICATE PLAIN " + b64("\0demo\0demo") + "\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
    }
  }

  @Test
  void logoutBeforeLoginShouldSayByeAndClose() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("z LOGOUT\r\n");
      assertThat(c.readLine()).isEqualTo("* BYE Logging out");
      assertThat(c.readLine()).isEqualTo("z OK LOGOUT completed");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void commandsPipelinedAfterLoginShouldBeRelayedInOrder() throws Exception {
    try (ImapTestClient c = ImapTestClient.plain(plain())) {
      c.readLine();
      c.send("a LOGIN demo demo\r\nb NOOP\r\nc LOGOUT\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
      assertThat(c.readUntil("b ")).startsWith("b OK");
      assertThat(c.readLine()).isEqualTo("* BYE Logging out");
      assertThat(c.readLine()).startsWith("c OK");
      assertThat(c.closedByServer()).isTrue();
    }
  }
}
