package io.portcullis.bench.jmh;

import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.Verdict;
import io.portcullis.filter.mime.MimeWalker;
import io.portcullis.filter.spam.SpamModel;
import io.portcullis.filter.spam.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MessageAnalyzer#analyze} on three typical messages: plain text, an HTML newsletter with
 * links, and a message with three attachments (a PDF, a ZIP of documents, an Office-named file).
 * The verdict cache is off, so every call parses, inspects and scores, and a spam model trained on
 * 400 generated messages is loaded, so the tokenizer and the classifier are in the figure too.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MessageAnalyzerBenchmark {

  @Param({"plain", "html", "attachments"})
  public String sample;

  private MessageAnalyzer analyzer;
  private byte[] message;

  @Setup
  public void setUp() throws IOException {
    FilterSettings settings = FilterSettings.defaults().withVerdictCache(0, Duration.ZERO);
    analyzer = MessageAnalyzer.create(settings, Optional.of(model(settings)));
    message =
        switch (sample) {
          case "plain" -> Samples.plain(6_000).getBytes(StandardCharsets.US_ASCII);
          case "html" -> Samples.html(40_000).getBytes(StandardCharsets.US_ASCII);
          default -> Samples.attachments().getBytes(StandardCharsets.US_ASCII);
        };
  }

  /** A model from generated ham (the samples' vocabulary) and spam (another vocabulary). */
  private static SpamModel model(FilterSettings settings) {
    MimeWalker walker = new MimeWalker(settings.mimeLimits());
    Tokenizer tokenizer = new Tokenizer();
    SpamModel.Builder builder = new SpamModel.Builder();
    for (int i = 0; i < 200; i++) {
      String ham = Samples.headers("Ham " + i, "text/plain") + Samples.text(2_000, 100 + i);
      String spam =
          Samples.headers("Offer " + i, "text/html")
              + Samples.text(2_000, 300 + i)
                  .replace("report", "viagra")
                  .replace("meeting", "winner")
                  .replace("budget", "casino");
      for (boolean isSpam : new boolean[] {false, true}) {
        byte[] m = (isSpam ? spam : ham).getBytes(StandardCharsets.US_ASCII);
        builder.learn(tokenizer.tokens(walker.walk(new ByteArrayInputStream(m), null)), isSpam);
      }
    }
    return builder.build();
  }

  @Benchmark
  public Verdict analyze() {
    return analyzer.analyze(new ByteArrayInputStream(message));
  }

  /** Deterministic sample messages. */
  static final class Samples {
    private static final String[] WORDS =
        "the quarterly report meeting invoice attached please review schedule project update budget"
            .split(" ");

    private Samples() {}

    static String headers(String subject, String contentType) {
      return "From: Alice <alice@example.net>\r\nTo: bob@example.org\r\nSubject: "
          + subject
          + "\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\nMessage-ID: <"
          + subject.hashCode()
          + "@example.net>\r\nMIME-Version: 1.0\r\nContent-Type: "
          + contentType
          + "\r\n\r\n";
    }

    static String text(int size, long seed) {
      Random random = new Random(seed);
      StringBuilder out = new StringBuilder(size + 80);
      int line = 0;
      while (out.length() < size) {
        String w = WORDS[random.nextInt(WORDS.length)];
        out.append(w).append(' ');
        line += w.length() + 1;
        if (line > 70) {
          out.append("\r\n");
          line = 0;
        }
      }
      return out.append("\r\n").toString();
    }

    static String plain(int size) {
      return headers("Plain", "text/plain; charset=us-ascii") + text(size, 1);
    }

    static String html(int size) {
      StringBuilder body = new StringBuilder("<html><body>\r\n");
      int i = 0;
      while (body.length() < size) {
        body.append("<p>")
            .append(text(300, i))
            .append("<a href=\"https://news.example.com/item/")
            .append(i++)
            .append("\">Read more</a></p>\r\n");
      }
      body.append("</body></html>\r\n");
      return headers("Newsletter", "text/html; charset=us-ascii") + body;
    }

    static String attachments() throws IOException {
      Random random = new Random(7);
      byte[] pdf = new byte[120_000];
      random.nextBytes(pdf);
      System.arraycopy("%PDF-1.7\n".getBytes(StandardCharsets.US_ASCII), 0, pdf, 0, 9);
      ByteArrayOutputStream zip = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(zip)) {
        for (int n = 1; n <= 5; n++) {
          z.putNextEntry(new ZipEntry("docs/report-" + n + ".txt"));
          z.write(text(20_000, n).getBytes(StandardCharsets.US_ASCII));
          z.closeEntry();
        }
      }
      byte[] doc = new byte[60_000];
      random.nextBytes(doc);
      String b = "mixed-boundary";
      return headers("Documents", "multipart/mixed; boundary=\"" + b + "\"")
          + "--"
          + b
          + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
          + text(1_500, 3)
          + part(b, "application/pdf", "statement.pdf", pdf)
          + part(b, "application/zip", "reports.zip", zip.toByteArray())
          + part(b, "application/msword", "minutes.doc", doc)
          + "--"
          + b
          + "--\r\n";
    }

    private static String part(String boundary, String type, String name, byte[] content) {
      return "--"
          + boundary
          + "\r\nContent-Type: "
          + type
          + "; name=\""
          + name
          + "\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment;"
          + " filename=\""
          + name
          + "\"\r\n\r\n"
          + Base64.getMimeEncoder().encodeToString(content)
          + "\r\n";
    }
  }
}
