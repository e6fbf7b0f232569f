package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Runs every {@code transcripts/imap/*.txt} conversation against the real gateway and a real
 * GreenMail upstream. {@code C:} lines are sent with CRLF ({@code \r\n} inside is sent as CRLF),
 * {@code S:} lines must match exactly, {@code S~} lines as a regular expression.
 */
class ImapTranscriptTest {
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.withGreenMail(
            GatewayFixture.SHARED_DATA_DIR,
            GatewayFixture.limits(5, Duration.ofSeconds(30), false));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @TestFactory
  Stream<DynamicTest> transcripts() throws IOException, URISyntaxException {
    Path dir = Path.of(ImapTranscriptTest.class.getResource("/transcripts/imap").toURI());
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".txt")).sorted().toList();
    }
    assertThat(files).isNotEmpty();
    return files.stream()
        .map(f -> DynamicTest.dynamicTest(f.getFileName().toString(), () -> run(f)));
  }

  private static void run(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file);
    try (ImapTestClient c = ImapTestClient.plain(gateway.address(gateway.plain))) {
      int n = 0;
      for (String line : lines) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String body = line.substring(3);
        String where = file.getFileName() + ":" + n;
        if (line.startsWith("C: ")) {
          c.send(body.replace("\\r\\n", "\r\n") + "\r\n");
        } else if (line.startsWith("S: ")) {
          assertThat(c.readLine()).as(where).isEqualTo(body);
        } else if (line.startsWith("S~ ")) {
          assertThat(c.readLine()).as(where).matches(body);
        } else {
          throw new IllegalArgumentException(where + ": expected C:, S: or S~");
        }
      }
    }
  }
}
