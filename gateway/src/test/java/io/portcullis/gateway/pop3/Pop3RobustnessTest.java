package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import io.portcullis.gateway.testing.ScriptedUpstream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Limits, fragmentation and disconnects on both sides of a POP3 session (THREATS P5). */
class Pop3RobustnessTest {
  @TempDir Path dataDir;
  private GatewayFixture fixture;

  @AfterEach
  void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void connectionsOverThePerSourceCapShouldBeClosedBeforeAnyByte() throws Exception {
    fixture =
        GatewayFixture.withGreenMail(
            dataDir,
            new GatewayLimits(
                null, 2, null, null, null, null, null, null, null, null, null, null, null, null,
                null, null, null));
    try (LineClient first = LineClient.tls(fixture.pop3s(), fixture.trust());
        LineClient second = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      assertThat(first.readLine()).isEqualTo(Pop3Reply.GREETING.text());
      assertThat(second.readLine()).isEqualTo(Pop3Reply.GREETING.text());
      try (LineClient third = LineClient.plain(fixture.pop3Starttls())) {
        assertThat(third.readLine()).isNull();
      }
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> fixture.gateway().openSessions() == 0);
    try (LineClient again = LineClient.plain(fixture.pop3Starttls())) {
      assertThat(again.readLine()).isEqualTo(Pop3Reply.GREETING.text());
    }
  }

  @Test
  void p5UpstreamAnswersArrivingOneByteAtATimeShouldBeFramedExactly() throws Exception {
    String body = "Subject: split\r\n\r\n..stuffed\r\n.\r\n";
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              up.send("+OK ready\r\n");
              up.readLine();
              up.send("-ERR\r\n");
              up.readLine();
              up.send("+OK\r\n");
              up.readLine();
              up.send("+OK\r\n");
              up.readLine(); // RETR 1
              up.readLine(); // NOOP
              for (byte b :
                  ("+OK 40 octets\r\n" + body + "+OK\r\n").getBytes(StandardCharsets.US_ASCII)) {
                up.sendBytes(new byte[] {b});
              }
              up.readLine();
              up.send("+OK bye\r\n");
            })) {
      fixture =
          GatewayFixture.withUpstream(
              dataDir,
              new UpstreamConfig(Endpoint.parse("pop3://127.0.0.1:" + upstream.port()), null),
              GatewayLimits.defaults(),
              Pop3TestPolicies.scanOff(dataDir));
      try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
        client.readLine();
        client.send("USER a\r\nPASS b\r\n");
        client.readLine();
        assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
        client.send("RETR 1\r\nNOOP\r\nCAPA\r\nQUIT\r\n");
        assertThat(client.readLine()).isEqualTo("+OK 40 octets");
        assertThat(new String(client.readRawMultiLine(), StandardCharsets.US_ASCII))
            .isEqualTo(body);
        assertThat(client.readLine()).isEqualTo("+OK");
        assertThat(client.readLine()).startsWith("+OK Capability list follows");
        client.readMultiLine();
        assertThat(client.readLine()).isEqualTo("+OK bye");
      }
    }
  }

  @Test
  void clientVanishingMidRetrShouldCloseTheUpstreamWithoutQuit() throws Exception {
    try (ScriptedUpstream upstream =
        ScriptedUpstream.start(
            up -> {
              up.send("+OK ready\r\n");
              up.readLine();
              up.send("-ERR\r\n");
              up.readLine();
              up.send("+OK\r\n");
              up.readLine();
              up.send("+OK\r\n");
              up.readLine(); // DELE 1
              up.send("+OK marked\r\n");
              up.readLine(); // RETR 1
              up.send("+OK\r\nSubject: big\r\n\r\n");
              byte[] chunk = ("y".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
              for (int i = 0; i < 20_000; i++) {
                up.sendBytes(chunk); // fails once the gateway hangs up
              }
            })) {
      fixture =
          GatewayFixture.withUpstream(
              dataDir,
              new UpstreamConfig(Endpoint.parse("pop3://127.0.0.1:" + upstream.port()), null),
              GatewayLimits.defaults(),
              Pop3TestPolicies.scanOff(dataDir));
      LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust());
      client.readLine();
      client.send("USER a\r\nPASS b\r\nDELE 1\r\nRETR 1\r\n");
      client.readLine();
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(client.readLine()).isEqualTo("+OK marked");
      assertThat(client.readLine()).isEqualTo("+OK");
      client.close();
      // RFC 1939 §6: without QUIT the server never enters UPDATE, so DELE is not committed.
      assertThat(upstream.received()).isEqualTo("CAPA\r\nUSER a\r\nPASS b\r\nDELE 1\r\nRETR 1\r\n");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> fixture.gateway().openSessions() == 0);
    }
  }
}
