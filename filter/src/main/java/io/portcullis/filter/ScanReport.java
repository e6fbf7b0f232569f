package io.portcullis.filter;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The logic of {@code portcullis scan FILE|DIR|mbox… [--json]}: analyses every message and prints
 * either a human table with the reasons, or one JSON object per message per line ({@code file},
 * {@code sha256}, {@code score}, {@code labels}, {@code findings}, {@code attachments}), then a
 * summary (table mode). Exit status: 0 when nothing was flagged, 1 when anything was. Not
 * thread-safe.
 */
public final class ScanReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final MessageAnalyzer analyzer;
  private final PrintStream out;
  private final boolean json;

  public ScanReport(MessageAnalyzer analyzer, PrintStream out, boolean json) {
    this.analyzer = analyzer;
    this.out = out;
    this.json = json;
  }

  /**
   * Scans and prints.
   *
   * @return the exit status: 0 nothing flagged, 1 something flagged
   * @throws IOException if an input cannot be read (the CLI exits with 2)
   */
  public int run(List<Path> inputs) throws IOException {
    int[] messages = {0};
    int[] flagged = {0};
    Map<Label, Integer> byLabel = new EnumMap<>(Label.class);
    if (!json) {
      out.printf(Locale.ROOT, "%7s  %-34s  %s%n", "SCORE", "LABELS", "MESSAGE");
    }
    MessageSource.forEach(
        inputs,
        item -> {
          Verdict v = analyzer.analyze(new ByteArrayInputStream(item.bytes()));
          messages[0]++;
          if (v.flagged()) {
            flagged[0]++;
          }
          v.labels().forEach(l -> byLabel.merge(l, 1, Integer::sum));
          if (json) {
            out.println(toJson(item.name(), v));
          } else {
            table(item.name(), v);
          }
        });
    if (!json) {
      out.printf(
          Locale.ROOT,
          "%n%d message(s), %d flagged%s%n",
          messages[0],
          flagged[0],
          byLabel.isEmpty()
              ? ""
              : ": "
                  + byLabel.entrySet().stream()
                      .map(e -> e.getKey().id() + " " + e.getValue())
                      .collect(Collectors.joining(", ")));
    }
    out.flush();
    return flagged[0] > 0 ? 1 : 0;
  }

  private void table(String name, Verdict v) {
    String labels =
        v.labels().isEmpty()
            ? "clean"
            : v.labels().stream().sorted().map(Label::id).collect(Collectors.joining(","));
    out.printf(Locale.ROOT, "%7.2f  %-34s  %s%n", v.score(), labels, name);
    v.findings().stream()
        .filter(f -> f.label() != null || f.weight() != 0)
        .limit(12)
        .forEach(
            f ->
                out.printf(
                    Locale.ROOT,
                    "         %+5.1f %-28s %s [%s]%n",
                    f.weight(),
                    f.rule() + (f.label() == null ? "" : " (" + f.label().id() + ")"),
                    f.reason(),
                    f.location()));
  }

  /** One verdict as a single JSON line. */
  public static String toJson(String file, Verdict v) {
    ObjectNode o = JSON.createObjectNode();
    o.put("file", file);
    o.put("sha256", v.sha256());
    o.put("score", v.score());
    ArrayNode labels = o.putArray("labels");
    v.labels().stream().sorted().forEach(l -> labels.add(l.id()));
    ArrayNode findings = o.putArray("findings");
    for (Finding f : v.findings()) {
      ObjectNode n = findings.addObject();
      n.put("rule", f.rule());
      if (f.label() != null) {
        n.put("label", f.label().id());
      } else {
        n.putNull("label");
      }
      n.put("weight", f.weight());
      n.put("reason", f.reason());
      n.put("location", f.location());
      n.put("part", f.partPath());
    }
    ArrayNode attachments = o.putArray("attachments");
    for (AttachmentInfo a : v.attachments()) {
      ObjectNode n = attachments.addObject();
      n.put("part", a.partPath());
      n.put("fileName", a.fileName());
      n.put("declaredType", a.declaredType());
      n.put("trueType", a.trueType());
      ArrayNode cats = n.putArray("categories");
      a.categories().stream().sorted().forEach(cats::add);
    }
    try {
      return JSON.writeValueAsString(o);
    } catch (IOException e) {
      throw new IllegalStateException("JSON serialisation of a verdict failed", e);
    }
  }
}
