package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.spam.SpamModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliLogicTest {

  @TempDir Path dir;

  private MessageAnalyzer analyzer() {
    return MessageAnalyzer.create(FilterSettings.defaults().withScratchDir(dir), Optional.empty());
  }

  private Path writeSamples() throws IOException {
    Path samples = Files.createDirectories(dir.resolve("samples"));
    for (Map.Entry<String, byte[]> e : SampleMessages.all().entrySet()) {
      Files.write(samples.resolve(e.getKey()), e.getValue());
    }
    return samples;
  }

  @Test
  void scanJsonShouldPrintOneObjectPerMessageAndExitOneWhenSomethingIsFlagged() throws IOException {
    Path samples = writeSamples();
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int status =
        new ScanReport(analyzer(), new PrintStream(out, true, StandardCharsets.UTF_8), true)
            .run(List.of(samples));

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(status).isEqualTo(1);
    assertThat(lines).hasSize(6);
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      assertThat(n.get("file").asText()).isNotEmpty();
      assertThat(n.get("score").isNumber()).isTrue();
      assertThat(n.get("labels").isArray()).isTrue();
      assertThat(n.get("findings").isArray()).isTrue();
    }
    JsonNode exe =
        lines.stream()
            .map(l -> read(json, l))
            .filter(n -> n.get("file").asText().endsWith("executable-in-zip.eml"))
            .findFirst()
            .orElseThrow();
    assertThat(exe.get("labels").toString()).contains("dangerous-attachment");
  }

  @Test
  void scanShouldExitZeroWhenNothingIsFlagged() throws IOException {
    Path plain = dir.resolve("plain.eml");
    Files.write(plain, SampleMessages.all().get("plain.eml"));
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int status =
        new ScanReport(analyzer(), new PrintStream(out, true, StandardCharsets.UTF_8), false)
            .run(List.of(plain));

    assertThat(status).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("clean")
        .contains("1 message(s), 0 flagged");
  }

  @Test
  void scanShouldSplitAnMboxIntoItsMessages() throws IOException {
    Path mbox = dir.resolve("inbox.mbox");
    String plain =
        new String(SampleMessages.all().get("plain.eml"), StandardCharsets.UTF_8)
            .replace("\r\n", "\n");
    String spam =
        new String(SampleMessages.all().get("spam.eml"), StandardCharsets.UTF_8)
            .replace("\r\n", "\n");
    Files.writeString(
        mbox,
        "From bob@example.org Tue Nov 24 08:12:40 2026\n"
            + plain.replace("\nBob\n", "\n>From the desk of Bob\n")
            + "\nFrom spam@bulk.example Tue Nov 24 02:10:00 2026\n"
            + spam
            + "\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();

    int status =
        new ScanReport(analyzer(), new PrintStream(out, true, StandardCharsets.UTF_8), true)
            .run(List.of(mbox));

    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0)).contains("inbox.mbox#1").contains("\"labels\":[]");
    assertThat(lines.get(1)).contains("inbox.mbox#2").contains("\"spam\"");
    assertThat(status).isEqualTo(1);
  }

  @Test
  void trainShouldReadMaildirAndMboxDrawProgressAndWriteALoadableModel() throws IOException {
    Path maildir = dir.resolve("Maildir");
    Files.createDirectories(maildir.resolve("cur"));
    Files.createDirectories(maildir.resolve("new"));
    Files.createDirectories(maildir.resolve("tmp"));
    Files.write(maildir.resolve("cur/1.host:2,S"), SampleMessages.all().get("plain.eml"));
    Files.write(maildir.resolve("new/2.host"), SampleMessages.all().get("newsletter.eml"));
    Files.write(
        maildir.resolve("tmp/3.host"),
        SampleMessages.all().get("spam.eml")); // being delivered: skipped
    Path spamMbox = dir.resolve("spam.mbox");
    Files.writeString(
        spamMbox,
        "From x Tue Nov 24 02:10:00 2026\n"
            + new String(SampleMessages.all().get("spam.eml"), StandardCharsets.UTF_8)
            + "\nFrom y Tue Nov 24 02:10:00 2026\n"
            + new String(SampleMessages.all().get("phishing.eml"), StandardCharsets.UTF_8));
    Path model = dir.resolve("model/spam-model.gz");
    ByteArrayOutputStream progress = new ByteArrayOutputStream();

    SpamTrainer.Result r =
        new SpamTrainer(MimeLimits.defaults())
            .train(
                List.of(spamMbox),
                List.of(maildir),
                Optional.empty(),
                model,
                new PrintStream(progress, true, StandardCharsets.UTF_8));

    assertThat(r.spamMessages()).isEqualTo(2);
    assertThat(r.hamMessages()).isEqualTo(2);
    assertThat(progress.toString(StandardCharsets.UTF_8))
        .contains("[##############################] 4/4");
    SpamModel loaded = SpamModel.load(model);
    assertThat(loaded.spamMessages()).isEqualTo(2);
    Optional<SpamModel> m = Optional.of(loaded);
    Verdict v =
        MessageAnalyzer.create(FilterSettings.defaults().withScratchDir(dir), m)
            .analyze(new java.io.ByteArrayInputStream(SampleMessages.all().get("spam.eml")));
    assertThat(v.findings()).extracting(Finding::rule).contains("bayes-99");
  }

  private static JsonNode read(ObjectMapper json, String line) {
    try {
      return json.readTree(line);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
