package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POP3 through the gateway to a real GreenMail server, over real TLS. */
class Pop3GatewayTest {
  @TempDir Path dataDir;
  private GatewayFixture fixture;
  private GreenMailUser alice;

  @BeforeEach
  void start() throws Exception {
    fixture = GatewayFixture.withGreenMail(dataDir);
    alice = fixture.user("alice", "correct-horse");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void retrShouldDeliverExactlyTheBytesTheUpstreamSends() throws Exception {
    deliver(
        "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\nGr\u00fc\u00dfe\r\n");
    deliver("Subject: second\r\n\r\n" + "x".repeat(5000) + "\r\n");
    byte[] direct;
    try (LineClient upstream = LineClient.plain(fixture.upstreamAddress())) {
      upstream.readLine();
      upstream.send("USER alice\r\nPASS correct-horse\r\nRETR 1\r\n");
      upstream.readLine();
      upstream.readLine();
      direct = upstream.readRawMultiLine();
    }
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("RETR 1\r\n");
      assertThat(client.readRawMultiLine()).isEqualTo(direct);
      client.send("RETR 2\r\n");
      assertThat(new String(client.readRawMultiLine(), StandardCharsets.UTF_8))
          .contains("x".repeat(5000));
    }
  }

  @Test
  void pipelinedCommandsShouldBeAnsweredInOrder() throws Exception {
    deliver("Subject: one\r\n\r\nbody one\r\n");
    deliver("Subject: two\r\n\r\nbody two\r\n");
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("STAT\r\nCAPA\r\nLIST\r\nNOOP\r\nRETR 2\r\nBOGUS\r\nUIDL 1\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK 2 ");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readMultiLine()).contains("UIDL").doesNotContain("STLS", "USER");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readMultiLine()).hasSize(2);
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readMultiLine()).contains("body two");
      assertThat(client.readLine()).isEqualTo("-ERR Unknown command");
      assertThat(client.readLine()).startsWith("+OK 1 ");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void commandsPipelinedBehindPassShouldBeAnsweredAfterLogin() throws Exception {
    deliver("Subject: one\r\n\r\nbody\r\n");
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send("USER alice\r\nPASS correct-horse\r\nSTAT\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).isEqualTo("+OK Logged in");
      assertThat(client.readLine()).startsWith("+OK 1 ");
      assertThat(client.readLine()).startsWith("+OK");
    }
  }

  @Test
  void deleShouldRemoveTheMessageUpstreamOnlyAfterQuit() throws Exception {
    deliver("Subject: one\r\n\r\nbody\r\n");
    deliver("Subject: two\r\n\r\nbody\r\n");
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("DELE 1\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK");
    }
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("STAT\r\n");
      assertThat(client.readLine()).startsWith("+OK 1 ");
    }
  }

  @Test
  void jakartaMailShouldReadEveryMessageOverImplicitTlsAndOverStls() throws Exception {
    for (int i = 0; i < 5; i++) {
      deliver("Subject: message " + i + "\r\n\r\nbody " + i + "\r\n");
    }
    assertThat(readAllWithJakartaMail("pop3s", fixture.pop3s().getPort(), false))
        .containsExactly("message 0", "message 1", "message 2", "message 3", "message 4");
    assertThat(readAllWithJakartaMail("pop3", fixture.pop3Starttls().getPort(), true)).hasSize(5);
  }

  @Test
  void largeMessageShouldStreamThroughUnchanged() throws Exception {
    // Over the scan limit and passed unscanned: relayed from the upstream as it comes.
    fixture.close();
    fixture =
        GatewayFixture.withGreenMail(
            dataDir,
            GatewayLimits.defaults(),
            null,
            Pop3TestPolicies.write(
                dataDir,
                "pass-large.yml",
                """
                version: 1
                defaults:
                  scanning:
                    max-size: 1MiB
                    over-limit: pass-unscanned
                """));
    alice = fixture.user("alice", "correct-horse");
    StringBuilder body = new StringBuilder("Subject: large\r\n\r\n");
    String line = "0123456789".repeat(7) + "\r\n";
    while (body.length() < 4 * 1024 * 1024) {
      body.append(line);
    }
    deliver(body.toString());
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("RETR 1\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      byte[] raw = client.readRawMultiLine();
      assertThat(raw.length).isGreaterThan(4 * 1024 * 1024);
      assertThat(new String(raw, 0, 200, StandardCharsets.US_ASCII)).contains("Subject: large");
      client.send("NOOP\r\n");
      assertThat(client.readLine()).startsWith("+OK");
    }
  }

  @Test
  void shutdownShouldStopAcceptingAndCloseSessionsAfterTheGracePeriod() throws Exception {
    fixture.close();
    fixture =
        GatewayFixture.withGreenMail(
            dataDir,
            new GatewayLimits(
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                Duration.ofSeconds(1),
                null,
                null,
                null,
                null));
    fixture.user("alice", "correct-horse");
    try (LineClient session = fixture.login("alice", "correct-horse")) {
      var address = fixture.pop3s();
      Thread closer = Thread.ofVirtual().start(fixture::close);
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () -> {
                try (Socket probe = new Socket()) {
                  probe.connect(address, 500);
                  return false;
                } catch (IOException refused) {
                  return true;
                }
              });
      session.send("NOOP\r\n");
      assertThat(session.readLine()).as("a session in progress may finish").startsWith("+OK");
      closer.join(Duration.ofSeconds(10));
      assertThat(closer.isAlive()).isFalse();
      assertThat(session.closedByServer()).isTrue();
    }
  }

  private List<String> readAllWithJakartaMail(String protocol, int port, boolean starttls)
      throws Exception {
    Properties props = new Properties();
    String p = "mail." + protocol;
    props.put(p + ".host", "127.0.0.1");
    props.put(p + ".port", String.valueOf(port));
    props.put(p + ".ssl.socketFactory", fixture.trust());
    props.put(p + ".ssl.checkserveridentity", "true");
    props.put(p + ".timeout", "10000");
    if (starttls) {
      props.put(p + ".starttls.enable", "true");
      props.put(p + ".starttls.required", "true");
    }
    Store store = Session.getInstance(props).getStore(protocol);
    store.connect("127.0.0.1", port, "alice", "correct-horse");
    try {
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      Message[] messages = inbox.getMessages();
      List<String> subjects =
          Arrays.stream(messages)
              .map(
                  m -> {
                    try {
                      return m.getSubject();
                    } catch (Exception e) {
                      throw new AssertionError(e);
                    }
                  })
              .toList();
      inbox.close(false);
      return subjects;
    } finally {
      store.close();
    }
  }

  private void deliver(String raw) throws Exception {
    MimeMessage message =
        new MimeMessage(
            Session.getInstance(new Properties()),
            new ByteArrayInputStream(
                ("From: bob@example.org\r\nTo: alice@localhost\r\n" + raw)
                    .getBytes(StandardCharsets.UTF_8)));
    alice.deliver(message);
  }
}
