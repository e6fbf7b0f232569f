package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages larger than the spool's memory part through the virtual maildrop: fetched into a file
 * off the event loop, tagged over the scan limit, and served back from the renditions store.
 */
class Pop3MaildropLargeMessageTest {
  private static final String POLICY =
      """
      version: 1
      defaults:
        scanning:
          max-size: 1MiB
          over-limit: tag
      """;

  /** Lines that start with dots, so that stuffing is exercised across chunk boundaries. */
  private static final String LINE =
      ".quarterly figures, line after line of them, and a dot first\r\n";

  @TempDir Path dataDir;
  private GatewayFixture fixture;
  private String body;

  @BeforeEach
  void start() throws Exception {
    fixture =
        GatewayFixture.withGreenMail(
            dataDir,
            GatewayLimits.defaults(),
            null,
            Pop3TestPolicies.write(dataDir, "policy.yml", POLICY));
    body = LINE.repeat((3 << 20) / LINE.length());
    fixture
        .user("alice", "correct-horse")
        .deliver(
            new MimeMessage(
                Session.getInstance(new Properties()),
                new ByteArrayInputStream(
                    ("From: bob@example.org\r\nTo: alice@example.org\r\nSubject: large\r\n\r\n"
                            + body)
                        .getBytes(StandardCharsets.US_ASCII))));
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void messageOverTheLimitShouldArriveTaggedWhole() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("LIST 1\r\nRETR 1\r\n");
      long listed = Long.parseLong(client.readLine().split(" ")[2]);
      assertThat(client.readLine()).isEqualTo("+OK " + listed + " octets");
      byte[] message = Pop3MaildropTest.unstuff(client.readRawMultiLine());
      assertThat((long) message.length).isEqualTo(listed);
      String text = new String(message, StandardCharsets.US_ASCII);
      assertThat(text)
          .containsPattern("Subject: \\[UNSCANNED\\] +large")
          .endsWith("\r\n\r\n" + body);
    }
  }

  @Test
  void topOfALargeRenditionShouldStopAfterTheRequestedLines() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("TOP 1 2\r\n");
      assertThat(client.readLine()).isEqualTo("+OK");
      String top = new String(client.readRawMultiLine(), StandardCharsets.US_ASCII);
      assertThat(top)
          .containsPattern("Subject: \\[UNSCANNED\\] +large")
          .endsWith("\r\n\r\n." + LINE + "." + LINE + ".\r\n");
    }
  }
}
