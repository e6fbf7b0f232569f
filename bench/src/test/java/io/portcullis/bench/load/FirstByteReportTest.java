package io.portcullis.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FirstByteReportTest {
  @TempDir Path dir;

  /** A bulk-fetch run whose sessions took {@code ttfb} to the first byte, 10 ms of it the login. */
  private static String run(String target, double... ttfb) {
    StringBuilder sessions = new StringBuilder();
    for (double t : ttfb) {
      sessions.append(sessions.isEmpty() ? "" : ",");
      sessions.append(
          new Json.Obj()
              .put("messages", 200)
              .put("ttfbMs", t)
              .put("afterLoginMs", t - 10)
              .put("messageP50Ms", 0.5));
    }
    return "{\"workload\":\"bulk-fetch\",\"protocol\":\"pop3\",\"errors\":0,\"sessions\":"
        + ttfb.length
        + ",\"bytes\":1000,\"mbPerSecond\":1.0,\"retrMs\":{\"p50\":0.5},\"perSession\":["
        + sessions
        + "],\"target\":\""
        + target
        + "\",\"round\":1}";
  }

  private String firstByteTable(String... lines) throws IOException {
    Path results = dir.resolve("results.jsonl");
    Files.write(results, List.of(lines));
    return firstByteTable(results);
  }

  private static String firstByteTable(Path results) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Report.read(results).printFirstByte(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static String mainTable(Path results) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    Report.read(results).print(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printFirstByteShouldSetTheScanningFirstSessionApartFromLaterOnes() throws IOException {
    String table =
        firstByteTable(
            run("portcullis", 30.0, 20.0, 22.0), run("portcullis-filtered", 5030.0, 21.0, 23.0));

    assertThat(table)
        .contains("| pop3 | portcullis-filtered | first of each run | 1 | 200 | 5030.00 ms |")
        .contains("| +5000.00 ms |")
        .contains("| pop3 | portcullis-filtered | later | 2 | 200 | 22.00 ms |")
        .contains("| 21.00–23.00 ms | +1.00 ms | 12.00 ms | +1.00 ms | 0.50 ms |");
  }

  @Test
  void aPairedRunShouldBeComparedWithTheSessionsItTookTurnsWith() throws IOException {
    String baseline = run("portcullis", 40.0, 25.0, 27.0);
    String paired =
        run("portcullis-filtered", 5030.0, 26.0, 29.0)
            .replace("\"bulk-fetch\"", "\"paired-fetch\"")
            .replace(
                ",\"target\"",
                ",\"baseline\":"
                    + baseline.substring(0, baseline.indexOf(",\"target\""))
                    + "}"
                    + ",\"target\"");

    // The unfiltered gateway's own bulk fetches (another mailbox, other moments) are not the
    // reference of the paired series, and the paired series stay out of the main table.
    Path results = dir.resolve("results.jsonl");
    Files.write(results, List.of(run("portcullis", 30.0, 20.0, 22.0), paired));
    String table = firstByteTable(results);
    String main = mainTable(results);

    assertThat(table)
        .contains("| pop3 | portcullis | later | 2 | 200 | 21.00 ms |")
        .contains("| pop3 | portcullis, paired | later | 2 | 200 | 26.00 ms | 25.00–27.00 ms | – |")
        .contains(
            "| pop3 | portcullis-filtered, paired | later | 2 | 200 | 27.50 ms | 26.00–29.00 ms"
                + " | +1.50 ms | 17.50 ms | +1.50 ms |")
        .contains(
            "| pop3 | portcullis-filtered, paired | first of each run | 1 | 200 | 5030.00 ms"
                + " | 5030.00–5030.00 ms | +4990.00 ms |");
    assertThat(main).contains("| pop3 | bulk-fetch | portcullis |").doesNotContain("paired");
  }

  @Test
  void resultsWithoutTheAfterLoginFigureShouldStillPrint() throws IOException {
    String table =
        firstByteTable(
            run("portcullis", 30.0, 20.0).replace("\"afterLoginMs\"", "\"other\""),
            run("portcullis-filtered", 5030.0, 21.0).replace("\"afterLoginMs\"", "\"other\""));

    assertThat(table)
        .contains("| pop3 | portcullis-filtered | later | 1 | 200 | 21.00 ms |")
        .contains("| +1.00 ms | – | – | 0.50 ms |");
  }

  @Test
  void printFirstByteShouldPrintNothingWithoutPerSessionFigures() throws IOException {
    String table =
        firstByteTable(
            "{\"workload\":\"login-storm\",\"protocol\":\"imap\",\"errors\":0,\"sessions\":5,"
                + "\"perSecond\":10,\"target\":\"direct\",\"round\":1}");

    assertThat(table).isEmpty();
  }

  @Test
  void copyTagShouldChangeEveryMessageByItsHeaderOnly() throws IOException {
    new MaildirGenerator(7).write(dir.resolve("plain"), 5);
    new MaildirGenerator(7, "filt-pop3-1").write(dir.resolve("copy"), 5);

    List<Path> plain = files(dir.resolve("plain/cur"));
    List<Path> copy = files(dir.resolve("copy/cur"));
    assertThat(copy).hasSameSizeAs(plain).hasSize(5);
    for (int i = 0; i < plain.size(); i++) {
      String original = Files.readString(plain.get(i), StandardCharsets.US_ASCII);
      String tagged = Files.readString(copy.get(i), StandardCharsets.US_ASCII);
      assertThat(tagged).isNotEqualTo(original);
      assertThat(tagged.replace("X-Bench-Copy: filt-pop3-1\r\n", "")).isEqualTo(original);
    }
  }

  private static List<Path> files(Path cur) throws IOException {
    try (Stream<Path> s = Files.list(cur)) {
      return s.sorted().toList();
    }
  }
}
