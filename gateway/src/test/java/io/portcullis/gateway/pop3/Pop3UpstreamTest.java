package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import io.portcullis.gateway.testing.ScriptedUpstream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway as a POP3 client: THREATS C1, C3, C7, A3 and upstreams that fail or misbehave. */
class Pop3UpstreamTest {
  @TempDir Path dataDir;
  private GatewayFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  private LineClient connectThrough(String upstreamUrl) throws Exception {
    fixture =
        GatewayFixture.withUpstream(
            dataDir,
            new UpstreamConfig(Endpoint.parse(upstreamUrl), null),
            GatewayLimits.defaults(),
            Pop3TestPolicies.scanOff(dataDir));
    LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust());
    client.readLine();
    return client;
  }

  @Test
  void unreachableUpstreamShouldGiveATemporaryError() throws Exception {
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    try (CapturedLogs logs = new CapturedLogs();
        LineClient client = connectThrough("pop3://127.0.0.1:" + closedPort)) {
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(logs.audit()).anyMatch(l -> l.contains("\"reason\":\"upstream-unreachable\""));
    }
  }

  @Test
  void c1UpstreamHidingStlsShouldNeverReceiveCredentials() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine(); // CAPA
                  up.send("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3+starttls://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(upstream.received()).isEqualTo("CAPA\r\n");
    }
  }

  @Test
  void c1UpstreamRefusingStlsShouldNeverReceiveCredentials() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("+OK\r\nSTLS\r\nUSER\r\n.\r\n");
                  up.readLine(); // STLS
                  up.send("-ERR not now\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3+starttls://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(upstream.received()).isEqualTo("CAPA\r\nSTLS\r\n");
    }
  }

  @Test
  void c3BytesInjectedAfterTheStlsAnswerShouldAbortTheLogin() throws Exception {
    try (CapturedLogs logs = new CapturedLogs();
        ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("+OK\r\nSTLS\r\n.\r\n");
                  up.readLine();
                  up.send("+OK go ahead\r\n+OK Logged in\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3+starttls://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(upstream.received()).doesNotContain("PASS", "AUTH", "USER");
      assertThat(logs.audit())
          .anyMatch(l -> l.contains("\"reason\":\"upstream-starttls-injection\""));
    }
  }

  @Test
  void c5UpstreamGreetingTextShouldNeverReachTheClient() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("-ERR [ALERT] Your account is locked, call 555-0100\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
  }

  @Test
  void c7UntrustedUpstreamCertificateShouldAbortBeforeCredentials() throws Exception {
    GreenMail tlsUpstream =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "pop3s").dynamicPort()});
    tlsUpstream.start();
    try (CapturedLogs logs = new CapturedLogs();
        LineClient client =
            connectThrough("pop3s://127.0.0.1:" + tlsUpstream.getPop3s().getPort())) {
      tlsUpstream.setUser("alice@localhost", "alice", "secret");
      client.send("USER alice\r\nPASS secret\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(logs.audit()).anyMatch(l -> l.contains("\"reason\":\"upstream-tls-untrusted\""));
    } finally {
      tlsUpstream.stop();
    }
  }

  @Test
  void a3UserNamesAndPasswordsWithSpacesAndQuotesShouldTravelExactlyInAuthPlain() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("+OK\r\nSASL PLAIN\r\n.\r\n");
                  up.readLine();
                  up.send("+OK welcome\r\n");
                  up.readLine();
                  up.send("+OK bye\r\n");
                });
        LineClient client = connectThrough("pop3://127.0.0.1:" + upstream.port())) {
      String user = "Alice \"A\" O'Neil\\{3}";
      String password = "pass word \u00e9\u00e9";
      client.send(
          "AUTH PLAIN "
              + Base64.getEncoder()
                  .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8))
              + "\r\nQUIT\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(client.readLine()).isEqualTo("+OK bye");
      String expected =
          "CAPA\r\nAUTH PLAIN "
              + Base64.getEncoder()
                  .encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8))
              + "\r\nQUIT\r\n";
      assertThat(upstream.received()).isEqualTo(expected);
    }
  }

  @Test
  void a3UserNameWithSpaceShouldNotBeSentWithUserCommand() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("+OK\r\nUSER\r\n.\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3://127.0.0.1:" + upstream.port())) {
      client.send(
          "AUTH PLAIN "
              + Base64.getEncoder()
                  .encodeToString("\0alice RETR 1\0pw".getBytes(StandardCharsets.UTF_8))
              + "\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
      assertThat(upstream.received()).isEqualTo("CAPA\r\n");
    }
  }

  @Test
  void upstreamDisconnectMidRetrShouldCloseTheClientAndKeepServingOthers() throws Exception {
    try (ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("-ERR no CAPA\r\n");
                  up.readLine();
                  up.send("+OK\r\n");
                  up.readLine();
                  up.send("+OK logged in\r\n");
                  up.readLine(); // RETR 1
                  up.send("+OK 1000 octets\r\nSubject: half\r\n\r\nonly the first");
                  up.close();
                });
        LineClient client = connectThrough("pop3://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS pw\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      client.send("RETR 1\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).isEqualTo("Subject: half");
      assertThat(client.closedByServer()).isTrue();
      try (LineClient other = LineClient.tls(fixture.pop3s(), fixture.trust())) {
        assertThat(other.readLine()).isEqualTo(Pop3Reply.GREETING.text());
      }
    }
  }

  @Test
  void malformedUpstreamAnswerShouldCloseTheSession() throws Exception {
    try (CapturedLogs logs = new CapturedLogs();
        ScriptedUpstream upstream =
            ScriptedUpstream.start(
                up -> {
                  up.send("+OK ready\r\n");
                  up.readLine();
                  up.send("-ERR\r\n");
                  up.readLine();
                  up.send("+OK\r\n");
                  up.readLine();
                  up.send("+OK\r\n");
                  up.readLine(); // STAT
                  up.send("* garbage that is no POP3 status\r\n");
                  up.closedByServer();
                });
        LineClient client = connectThrough("pop3://127.0.0.1:" + upstream.port())) {
      client.send("USER alice\r\nPASS pw\r\nSTAT\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(client.closedByServer()).isTrue();
      assertThat(logs.audit()).anyMatch(l -> l.contains("upstream-protocol-error"));
    }
  }
}
