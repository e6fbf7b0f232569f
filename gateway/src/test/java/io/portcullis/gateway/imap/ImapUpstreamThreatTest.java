package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.config.Endpoint;
import java.time.Duration;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * The gateway as an IMAP client of a hostile or broken upstream (THREATS C1–C7, A3): each test runs
 * the real gateway against a scripted upstream on a real socket.
 */
class ImapUpstreamThreatTest {
  private static final String CAPS_PLAIN = "IMAP4rev1 IDLE";

  /** Answers CAPABILITY with {@code caps}, LOGIN/AUTHENTICATE with OK, LOGOUT with BYE. */
  private static BiFunction<String, String, String> server(String caps) {
    return (tag, command) -> {
      String upper = command.toUpperCase(java.util.Locale.ROOT);
      if (upper.startsWith("CAPABILITY")) {
        return "* CAPABILITY " + caps + "\r\n" + tag + " OK done\r\n";
      }
      if (upper.startsWith("LOGIN") || upper.startsWith("AUTHENTICATE")) {
        return tag + " OK [CAPABILITY " + caps + "] logged in\r\n";
      }
      if (upper.startsWith("LOGOUT")) {
        return "* BYE bye\r\n" + tag + " OK done\r\n";
      }
      if (upper.startsWith("ID")) {
        return "* ID NIL\r\n" + tag + " OK done\r\n";
      }
      return tag + " OK " + command.split(" ")[0] + " done\r\n";
    };
  }

  /** Logs in through the gateway's plaintext loopback listener; returns the tagged answer. */
  private static String login(ScriptedUpstream upstream, String scheme, String loginCommand)
      throws Exception {
    return login(upstream, scheme, loginCommand, false);
  }

  private static String login(
      ScriptedUpstream upstream, String scheme, String loginCommand, boolean forwardAddress)
      throws Exception {
    Endpoint url = Endpoint.parse(scheme + "://127.0.0.1:" + upstream.port());
    try (GatewayFixture g =
            GatewayFixture.withUpstream(
                GatewayFixture.SHARED_DATA_DIR,
                url,
                GatewayFixture.limits(5, Duration.ofSeconds(30), forwardAddress));
        ImapTestClient c = ImapTestClient.plain(g.address(g.plain))) {
      c.readLine();
      c.send(loginCommand);
      String answer = c.readUntil("a ");
      if (answer.startsWith("a OK")) {
        c.send("b LOGOUT\r\n");
        c.readUntil("b ");
      }
      return answer;
    }
  }

  @Test
  void starttlsStrippingShouldAbortBeforeAnyCredentialIsSent() throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN))) {
      String answer = login(up, "imap+starttls", "a LOGIN demo secret\r\n");
      assertThat(answer)
          .isEqualTo("a NO [UNAVAILABLE] Service temporarily unavailable, try again later");
      assertThat(up.received()).isEqualTo("P1 CAPABILITY\r\n").doesNotContain("secret");
    }
  }

  @Test
  void starttlsStrippedFromTheGreetingsCapabilitiesShouldAbortBeforeAnyCommandIsSent()
      throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap+starttls", "a LOGIN demo secret\r\n"))
          .startsWith("a NO [UNAVAILABLE]");
      assertThat(up.received()).doesNotContain("secret").doesNotContain("AUTHENTICATE");
    }
  }

  @Test
  void capabilitiesInTheGreetingShouldSpareTheCapabilityRoundTrip() throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN SASL-IR] hi\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap", "a LOGIN demo secret\r\n")).startsWith("a OK");
      assertThat(up.received()).startsWith("P1 AUTHENTICATE PLAIN ");
    }
  }

  @Test
  void starttlsRefusedByUpstreamShouldAbortBeforeAnyCredentialIsSent() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN + " STARTTLS");
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) -> cmd.equals("STARTTLS") ? tag + " BAD no\r\n" : base.apply(tag, cmd))) {
      assertThat(login(up, "imap+starttls", "a LOGIN demo secret\r\n"))
          .startsWith("a NO [UNAVAILABLE]");
      assertThat(up.received()).doesNotContain("secret").doesNotContain("LOGIN");
    }
  }

  @Test
  void responseInjectedAfterUpstreamStarttlsAnswerShouldAbort() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN + " STARTTLS");
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) ->
                cmd.equals("STARTTLS")
                    ? tag + " OK begin\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n"
                    : base.apply(tag, cmd))) {
      assertThat(login(up, "imap+starttls", "a LOGIN demo secret\r\n"))
          .startsWith("a NO [UNAVAILABLE]");
      assertThat(up.received()).isEqualTo("P1 CAPABILITY\r\nP2 STARTTLS\r\n");
    }
  }

  @Test
  void preauthGreetingShouldAbortBeforeAnyCredentialIsSent() throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream("* PREAUTH welcome root\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap", "a LOGIN demo secret\r\n")).startsWith("a NO [UNAVAILABLE]");
      assertThat(up.received()).isEmpty();
    }
  }

  @Test
  void alertFromTheLoginPhaseShouldNeverReachTheClient() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK [ALERT] Your account is locked, call +1-555-SCAM\r\n",
            (tag, cmd) ->
                cmd.startsWith("LOGIN")
                    ? "* OK [ALERT] Enter your bank PIN\r\n" + tag + " NO [ALERT] call us\r\n"
                    : base.apply(tag, cmd))) {
      assertThat(login(up, "imap", "a LOGIN demo secret\r\n"))
          .isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void referralFromUpstreamShouldBeNeitherFollowedNorRelayed() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) ->
                cmd.startsWith("LOGIN")
                    ? tag + " NO [REFERRAL imap://evil.example/] go there\r\n"
                    : base.apply(tag, cmd))) {
      assertThat(login(up, "imap", "a LOGIN demo secret\r\n"))
          .isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
    }
  }

  @Test
  void untrustedUpstreamCertificateShouldAbortBeforeAnyCredentialIsSent() throws Exception {
    // The "upstream" is a second gateway's imaps listener with a self-signed certificate.
    try (GatewayFixture other = GatewayFixture.withGreenMail(GatewayFixture.SHARED_DATA_DIR);
        GatewayFixture g =
            GatewayFixture.withUpstream(
                GatewayFixture.SHARED_DATA_DIR,
                Endpoint.parse("imaps://127.0.0.1:" + other.address(other.imaps).getPort()),
                GatewayFixture.limits(5, Duration.ofSeconds(30), false));
        ImapTestClient c = ImapTestClient.plain(g.address(g.plain))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      assertThat(c.readLine()).startsWith("a NO [UNAVAILABLE]");
    }
  }

  /**
   * Logs in through a gateway whose upstream is another gateway's imaps listener on {@code host}.
   */
  private static String loginViaGatewayUpstreamOn(String host) throws Exception {
    try (GatewayFixture other =
            GatewayFixture.withGreenMail(
                GatewayFixture.SHARED_DATA_DIR,
                GatewayFixture.limits(5, Duration.ofSeconds(30), false),
                host);
        GatewayFixture g =
            GatewayFixture.withUpstream(
                GatewayFixture.SHARED_DATA_DIR,
                new io.portcullis.gateway.config.UpstreamConfig(
                    Endpoint.parse("imaps://" + host + ":" + other.address(other.imaps).getPort()),
                    new io.portcullis.gateway.config.UpstreamConfig.UpstreamTlsConfig(
                        GatewayFixture.SHARED_DATA_DIR.resolve("tls").resolve("cert.pem"),
                        true,
                        null,
                        null)),
                GatewayFixture.limits(5, Duration.ofSeconds(30), false));
        ImapTestClient c = ImapTestClient.plain(g.address(g.plain))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      return c.readLine();
    }
  }

  @Test
  void upstreamCertificateForAnotherHostShouldAbortBeforeAnyCredentialIsSent() throws Exception {
    // Control: the same certificate, trusted through ca:, is accepted for a name it carries...
    assertThat(loginViaGatewayUpstreamOn("127.0.0.1")).startsWith("a OK");
    // ...and refused for one it does not (RFC 7817 §3).
    assertThat(loginViaGatewayUpstreamOn("127.0.0.2")).startsWith("a NO [UNAVAILABLE]");
  }

  @Test
  void quotesBackslashesAndBracesInCredentialsShouldBeSentAsEscapedQuotedStrings()
      throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap", "a LOGIN {9+}\r\nde\"mo\\{1} \"p{4}\\\\ \\\"x\"\r\n"))
          .startsWith("a OK");
      assertThat(up.received())
          .startsWith("P1 CAPABILITY\r\nP2 LOGIN \"de\\\"mo\\\\{1}\" \"p{4}\\\\ \\\"x\"\r\n");
    }
  }

  @Test
  void nonAsciiPasswordShouldBeSentAsSynchronizingLiteralWhenNoLiteralPlus() throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap", "a LOGIN demo {7}\r\np\u00c3\u00a4sswd\r\n")).startsWith("a OK");
      assertThat(up.received()).startsWith("P1 CAPABILITY\r\nP2 LOGIN \"demo\" {7}\r\npässwd\r\n");
    }
  }

  @Test
  void nonAsciiPasswordShouldBeSentAsNonSyncLiteralWithLiteralPlus() throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN + " LITERAL+"))) {
      assertThat(login(up, "imap", "a LOGIN demo {7}\r\np\u00c3\u00a4sswd\r\n")).startsWith("a OK");
      assertThat(up.received()).startsWith("P1 CAPABILITY\r\nP2 LOGIN \"demo\" {7+}\r\npässwd\r\n");
    }
  }

  @Test
  void lineBreakInUserNameShouldNeverReachTheUpstream() throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN))) {
      assertThat(login(up, "imap", "a LOGIN {13+}\r\ndemo\r\nP9 NOOP demo\r\n"))
          .isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
      assertThat(up.connected()).isFalse();
    }
  }

  @Test
  void saslPlainWithInitialResponseShouldBePreferredWhenOffered() throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN + " AUTH=PLAIN SASL-IR"))) {
      assertThat(login(up, "imap", "a LOGIN demo \"x\\\"y\"\r\n")).startsWith("a OK");
      assertThat(up.received())
          .startsWith("P1 CAPABILITY\r\nP2 AUTHENTICATE PLAIN AGRlbW8AeCJ5\r\n");
    }
  }

  @Test
  void clientAddressShouldBeSentInIdOnlyWhenConfigured() throws Exception {
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN + " ID"))) {
      assertThat(login(up, "imap", "a LOGIN demo demo\r\n", true)).startsWith("a OK");
      assertThat(up.received())
          .startsWith(
              "P1 CAPABILITY\r\nP2 ID (\"x-originating-ip\" \"127.0.0.1\" \"x-originating-port\" \"");
    }
    try (ScriptedUpstream up = new ScriptedUpstream("* OK hi\r\n", server(CAPS_PLAIN + " ID"))) {
      assertThat(login(up, "imap", "a LOGIN demo demo\r\n", false)).startsWith("a OK");
      assertThat(up.received()).doesNotContain("x-originating-ip");
    }
  }

  @Test
  void upstreamCapabilitiesShouldBeFilteredInTheLoginAnswer() throws Exception {
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            server(
                "IMAP4rev1 IMAP4rev2 STARTTLS AUTH=PLAIN LOGINDISABLED COMPRESS=DEFLATE IDLE MOVE X-UNKNOWN LITERAL+"))) {
      assertThat(login(up, "imap", "a LOGIN demo demo\r\n"))
          .isEqualTo("a OK [CAPABILITY IMAP4rev1 IMAP4rev2 IDLE MOVE LITERAL+] Logged in");
    }
  }

  private static java.util.List<String> afterLogin(ScriptedUpstream up, String command)
      throws Exception {
    Endpoint url = Endpoint.parse("imap://127.0.0.1:" + up.port());
    try (GatewayFixture g =
            GatewayFixture.withUpstream(
                GatewayFixture.SHARED_DATA_DIR,
                url,
                GatewayFixture.limits(5, Duration.ofSeconds(30), false));
        ImapTestClient c = ImapTestClient.plain(g.address(g.plain))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      assertThat(c.readLine()).startsWith("a OK");
      c.send(command);
      java.util.List<String> lines = new java.util.ArrayList<>();
      String line;
      while ((line = c.readLine()) != null) {
        lines.add(line);
      }
      return lines;
    }
  }

  @Test
  void unsolicitedUpstreamByeShouldReachTheClientAsFixedTextAndCloseBothSides() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) ->
                cmd.equals("NOOP")
                    ? "* BYE [ALERT] visit evil.example\r\n"
                    : base.apply(tag, cmd))) {
      assertThat(afterLogin(up, "b NOOP\r\n"))
          .containsExactly("* BYE [UNAVAILABLE] Connection to the mail server lost");
    }
  }

  @Test
  void upstreamDisconnectShouldReachTheClientAsByeAndClose() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n", (tag, cmd) -> cmd.equals("NOOP") ? null : base.apply(tag, cmd))) {
      assertThat(afterLogin(up, "b NOOP\r\n"))
          .containsExactly("* BYE [UNAVAILABLE] Connection to the mail server lost");
    }
  }

  @Test
  void malformedUpstreamLiteralShouldCloseBothSides() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) ->
                cmd.startsWith("FETCH")
                    ? "* 1 FETCH (BODY[] {99999999999}\r\n"
                    : base.apply(tag, cmd))) {
      assertThat(afterLogin(up, "b FETCH 1 BODY[]\r\n"))
          .containsExactly("* BYE [UNAVAILABLE] Connection to the mail server lost");
    }
  }

  @Test
  void referralAndCapabilityCodesAfterLoginShouldBeRewritten() throws Exception {
    BiFunction<String, String, String> base = server(CAPS_PLAIN);
    try (ScriptedUpstream up =
        new ScriptedUpstream(
            "* OK hi\r\n",
            (tag, cmd) ->
                cmd.startsWith("SELECT")
                    ? tag + " NO [REFERRAL imap://evil.example/INBOX] elsewhere\r\n"
                    : cmd.startsWith("NOOP")
                        ? tag + " OK [CAPABILITY IMAP4rev1 STARTTLS COMPRESS=DEFLATE IDLE] ok\r\n"
                        : base.apply(tag, cmd))) {
      assertThat(afterLogin(up, "b SELECT INBOX\r\nc NOOP\r\nd LOGOUT\r\n"))
          .containsExactly(
              "b NO elsewhere",
              "c OK [CAPABILITY IMAP4rev1 IDLE] ok",
              "* BYE Logging out",
              "d OK done");
    }
  }
}
