package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy routing picks the upstream by name (docs/policies.md, routing section). */
class Pop3RoutingTest {
  private static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");

  @TempDir Path dataDir;
  private GreenMail main;
  private GreenMail archive;
  private GatewayServer gateway;

  @BeforeEach
  void start() throws Exception {
    main = greenMail();
    archive = greenMail();
    main.setUser("erin@localhost", "erin", "pw");
    main.setUser("frank@localhost", "frank", "pw");
    var archivedErin = archive.setUser("erin@localhost", "erin", "pw");
    var message =
        new MimeMessage(
            Session.getInstance(new Properties()),
            new ByteArrayInputStream(
                "Subject: archived\r\n\r\nold\r\n".getBytes(StandardCharsets.US_ASCII)));
    archivedErin.deliver(message);
    Path policy = dataDir.resolve("policy.yml");
    Files.writeString(
        policy,
        """
        version: 1
        upstreams:
          default: {credentials: passthrough}
          archive: {credentials: passthrough}
          nowhere: {credentials: passthrough}
        defaults:
          access:
            decision: allow
            mechanisms: [PLAIN, LOGIN, USER]
            second-factor: "off"
          routing:
            upstream: default
        routing:
          - id: erin-to-archive
            match:
              user: erin
            upstream: archive
          - id: frank-to-nowhere
            match:
              user: frank
            upstream: nowhere
        """);
    gateway =
        GatewayServer.start(
            new GatewayConfig(
                dataDir,
                List.of(new ListenerConfig(POP3S)),
                List.of(
                    new UpstreamConfig(url(main), null),
                    new UpstreamConfig("archive", url(archive), null)),
                null,
                null,
                false,
                null,
                policy),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    gateway.close();
    main.stop();
    archive.stop();
  }

  @Test
  void aRoutedUserShouldReachTheNamedUpstream() throws Exception {
    try (LineClient c = login("erin")) {
      c.send("STAT\r\n");
      assertThat(c.readLine()).startsWith("+OK 1 ");
    }
  }

  @Test
  void aRouteToAnUnconfiguredUpstreamShouldFailAsTemporary() throws Exception {
    try (CapturedLogs logs = new CapturedLogs();
        LineClient c = connect()) {
      c.send("USER frank\r\nPASS pw\r\n");
      c.readLine();
      assertThat(c.readLine()).isEqualTo(Pop3Reply.TEMPORARY_FAILURE.text());
      assertThat(logs.audit()).anyMatch(l -> l.contains("upstream-not-configured:nowhere"));
    }
  }

  private LineClient login(String user) throws Exception {
    LineClient c = connect();
    c.send("USER " + user + "\r\nPASS pw\r\n");
    c.readLine();
    assertThat(c.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
    return c;
  }

  private LineClient connect() throws Exception {
    LineClient c =
        LineClient.tls(
            gateway.boundAddress(POP3S),
            GatewayFixture.trusting(dataDir.resolve("tls").resolve("cert.pem")));
    c.readLine();
    return c;
  }

  private static GreenMail greenMail() {
    GreenMail g =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort()});
    g.start();
    return g;
  }

  private static Endpoint url(GreenMail g) {
    return Endpoint.parse("pop3://127.0.0.1:" + g.getPop3().getPort());
  }
}
