package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.FilterConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import io.portcullis.gateway.testing.ScriptedUpstream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual maildrop against a scripted upstream: what the gateway asks for itself, and how it
 * fails closed when the upstream is slow or unusable.
 */
class Pop3MaildropUpstreamTest {
  private static final String CLEAN =
      "From: bob@example.org\r\nTo: alice@example.org\r\nSubject: hello\r\n"
          + "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\nMessage-ID: <1@example.org>\r\n\r\n"
          + "Lunch on Thursday?\r\n";

  @TempDir Path dataDir;
  private GatewayFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void messagesLeftWhenTheScanBudgetIsSpentShouldBeWithheld() throws Exception {
    CountDownLatch budgetSpent = new CountDownLatch(1);
    try (CapturedLogs logs = new CapturedLogs();
        ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  login(up);
                  up.readLine(); // UIDL
                  up.send("+OK\r\n1 uid-a\r\n2 uid-b\r\n.\r\n");
                  up.readLine(); // LIST
                  up.send("+OK\r\n1 " + CLEAN.length() + "\r\n2 " + CLEAN.length() + "\r\n.\r\n");
                  up.readLine(); // RETR 1
                  up.send("+OK\r\n" + CLEAN + ".\r\n");
                  up.readLine(); // RETR 2: answered only once the budget is spent
                  budgetSpent.await(20, TimeUnit.SECONDS);
                  up.send("+OK\r\n" + CLEAN + ".\r\n");
                  up.readLine(); // QUIT
                  up.send("+OK bye\r\n");
                })) {
      // Room for the login and the first message's analysis on a busy machine.
      fixture = gateway(upstream, Duration.ofSeconds(5));
      try (LineClient client = loggedIn("STAT\r\nUIDL\r\nQUIT\r\n")) {
        Awaitility.await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> logs.lines().stream().anyMatch(l -> l.contains("scan budget")));
        budgetSpent.countDown();
        assertThat(client.readLine()).isEqualTo("+OK 1 " + CLEAN.length());
        assertThat(client.readLine()).isEqualTo("+OK");
        assertThat(client.readMultiLine()).containsExactly("1 uid-a");
        assertThat(client.readLine()).isEqualTo("+OK bye");
      }
      assertThat(upstream.received())
          .endsWith("UIDL\r\nLIST\r\nRETR 1\r\nRETR 2\r\nQUIT\r\n")
          .doesNotContain("STAT");
    }
  }

  @Test
  void uidlAndListShouldGoUpInOneRoundTripWhenTheUpstreamPipelines() throws Exception {
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              login(up, "+OK\r\nUSER\r\nPIPELINING\r\n.\r\n");
              // Both commands before any answer: a gateway that waited for UIDL's answer would
              // leave this read to time out.
              up.readLine(); // UIDL
              up.readLine(); // LIST
              up.send(UIDL_ANSWER);
              up.send(LIST_ANSWER);
              scanAndQuit(up);
            })) {
      statOfOneMessage(upstream);
    }
  }

  @Test
  void listShouldWaitForTheUidlAnswerWhenTheUpstreamDoesNotPipeline() throws Exception {
    AtomicBoolean quietBehindUidl = new AtomicBoolean();
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              login(up, "+OK\r\nUSER\r\nUIDL\r\n.\r\n");
              up.readLine(); // UIDL
              // A LIST sent too early would arrive within this wait (and end it at once).
              quietBehindUidl.set(up.silentFor(Duration.ofMillis(300)));
              up.send(UIDL_ANSWER);
              up.readLine(); // LIST
              up.send(LIST_ANSWER);
              scanAndQuit(up);
            })) {
      statOfOneMessage(upstream);
      assertThat(quietBehindUidl).isTrue();
    }
  }

  @Test
  void upstreamWithoutUidlShouldEndTheSessionInsteadOfServingUnscannedMail() throws Exception {
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              login(up);
              up.readLine(); // UIDL
              up.send("-ERR not supported\r\n");
              up.closedByServer();
            })) {
      fixture = gateway(upstream, Duration.ofSeconds(60));
      try (LineClient client = loggedIn("RETR 1\r\n")) {
        assertThat(client.readLine()).isEqualTo(Pop3Reply.FILTER_UNAVAILABLE.text());
        assertThat(client.closedByServer()).isTrue();
      }
      assertThat(upstream.received()).doesNotContain("RETR");
    }
  }

  @Test
  void uidlWithAControlCharacterShouldNotReachTheClient() throws Exception {
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              login(up);
              up.readLine(); // UIDL
              up.send("+OK\r\n1 abc\rdef\r\n.\r\n");
              up.closedByServer();
            })) {
      fixture = gateway(upstream, Duration.ofSeconds(60));
      try (LineClient client = loggedIn("UIDL\r\n")) {
        assertThat(client.readLine()).isEqualTo(Pop3Reply.FILTER_UNAVAILABLE.text());
        assertThat(client.closedByServer()).isTrue();
      }
    }
  }

  private static final String UIDL_ANSWER = "+OK\r\n1 uid-a\r\n.\r\n";
  private static final String LIST_ANSWER = "+OK\r\n1 " + CLEAN.length() + "\r\n.\r\n";

  /** The upstream's side after the listing: RETR 1 (the scan) of CLEAN, then QUIT. */
  private static void scanAndQuit(LineClient up) throws Exception {
    up.readLine(); // RETR 1, the scan
    up.send("+OK\r\n" + CLEAN + ".\r\n");
    up.readLine(); // QUIT
    up.send("+OK bye\r\n");
  }

  /** A client's STAT over a one-message maildrop, and what the gateway asked upstream for it. */
  private void statOfOneMessage(ScriptedUpstream upstream) throws Exception {
    fixture = gateway(upstream, Duration.ofSeconds(60));
    try (LineClient client = loggedIn("STAT\r\nQUIT\r\n")) {
      assertThat(client.readLine()).isEqualTo("+OK 1 " + CLEAN.length());
      assertThat(client.readLine()).isEqualTo("+OK bye");
    }
    assertThat(upstream.received()).endsWith("UIDL\r\nLIST\r\nRETR 1\r\nQUIT\r\n");
  }

  /**
   * A client that logged in through the gateway with {@code commands} pipelined behind PASS; the
   * greeting, USER's and PASS's answers are read (PASS's must be the gateway's login success).
   */
  private LineClient loggedIn(String commands) throws Exception {
    LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust());
    client.readLine();
    client.send("USER a\r\nPASS b\r\n" + commands);
    client.readLine();
    assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
    return client;
  }

  private static void login(LineClient up) throws Exception {
    login(up, "-ERR\r\n");
  }

  /** Greeting, {@code capaAnswer} to CAPA, then USER/PASS accepted. */
  private static void login(LineClient up, String capaAnswer) throws Exception {
    up.send("+OK ready\r\n");
    up.readLine(); // CAPA
    up.send(capaAnswer);
    up.readLine(); // USER
    up.send("+OK\r\n");
    up.readLine(); // PASS
    up.send("+OK logged in\r\n");
  }

  /** A gateway whose maildrop scan budget ({@code filter.scan-budget}) is {@code budget}. */
  private GatewayFixture gateway(ScriptedUpstream upstream, Duration budget) throws Exception {
    return GatewayFixture.withUpstreamFiltering(
        dataDir,
        new UpstreamConfig(Endpoint.parse("pop3://127.0.0.1:" + upstream.port()), null),
        GatewayLimits.defaults(),
        new FilterConfig(null, null, null, null, null, null, budget.toMillis() + "ms"));
  }
}
