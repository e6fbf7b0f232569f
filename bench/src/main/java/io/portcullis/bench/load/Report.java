package io.portcullis.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the JSON lines of one {@code bench/run} (a workload result per line, with the proxy's CPU
 * and memory figures added by the script) into one Markdown table. Per target: throughput is the
 * median over rounds; CPU per unit is total proxy CPU over total work, which is what stays stable
 * on a noisy machine. Not thread-safe.
 */
final class Report {
  static final List<String> TARGETS =
      List.of("direct", "nginx", "portcullis", "portcullis-filtered");

  /** Sessions that took turns with a baseline: only the time-to-first-message table shows them. */
  private static final String PAIRED = "paired-fetch";

  private record Row(String protocol, String workload, String target) {}

  private final Map<Row, List<JsonNode>> runs = new LinkedHashMap<>();

  static Report read(Path jsonLines) throws IOException {
    ObjectMapper json = new ObjectMapper();
    Report report = new Report();
    for (String line : Files.readAllLines(jsonLines)) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode n = json.readTree(line);
      Row row =
          new Row(
              n.path("protocol").asText(), n.path("workload").asText(), n.path("target").asText());
      report.runs.computeIfAbsent(row, r -> new ArrayList<>()).add(n);
    }
    return report;
  }

  void print(PrintStream out) {
    out.println(
        "| protocol | workload | target | throughput | proxy CPU per unit | CPU vs nginx | peak RSS"
            + " | RSS per idle session | RSS vs nginx | latency p50 | errors |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    List<Row> rows = new ArrayList<>(runs.keySet());
    rows.removeIf(r -> r.workload().equals(PAIRED));
    rows.sort(
        (a, b) -> {
          int c = a.protocol().compareTo(b.protocol());
          if (c == 0) {
            c = order(a.workload()) - order(b.workload());
          }
          return c != 0 ? c : TARGETS.indexOf(a.target()) - TARGETS.indexOf(b.target());
        });
    for (Row row : rows) {
      List<JsonNode> list = runs.get(row);
      Optional<Double> cpu = cpuPerUnit(list, row.workload());
      Optional<Double> nginxCpu =
          Optional.ofNullable(runs.get(new Row(row.protocol(), row.workload(), "nginx")))
              .flatMap(l -> cpuPerUnit(l, row.workload()));
      Optional<Double> rss = rssPerSession(list, row.workload());
      Optional<Double> nginxRss =
          Optional.ofNullable(runs.get(new Row(row.protocol(), row.workload(), "nginx")))
              .flatMap(l -> rssPerSession(l, row.workload()));
      out.printf(
          Locale.ROOT,
          "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d |%n",
          row.protocol(),
          row.workload(),
          row.target(),
          throughput(list, row.workload()),
          cpu.map(v -> format(v, row.workload()) + jitShare(list)).orElse("–"),
          ratio(cpu, nginxCpu, row.target()),
          peakRss(list),
          rss.map(v -> String.format(Locale.ROOT, "%.1f KiB", v)).orElse("–"),
          ratio(rss, nginxRss, row.target()),
          latency(list, row.workload()),
          list.stream().mapToLong(n -> n.path("errors").asLong()).sum());
    }
  }

  /**
   * The time-to-first-message table: per protocol and target, the first bulk-fetch session of each
   * run (for {@code portcullis-filtered}, run on a fresh copy of the mailbox: the one that scans
   * every message) apart from the later ones (verdicts stored), compared with the unfiltered
   * gateway's series; then the paired series ({@code loadgen paired-fetch}), each compared with the
   * baseline sessions it took turns with, which get a row of their own. Prints nothing when no run
   * has per-session figures.
   */
  void printFirstByte(PrintStream out) {
    List<String> lines = new ArrayList<>();
    List<Row> rows =
        runs.keySet().stream()
            .filter(r -> r.workload().equals("bulk-fetch") || r.workload().equals(PAIRED))
            .sorted(
                (a, b) -> {
                  int c = a.protocol().compareTo(b.protocol());
                  if (c == 0) {
                    c = order(a.workload()) - order(b.workload());
                  }
                  return c != 0 ? c : TARGETS.indexOf(a.target()) - TARGETS.indexOf(b.target());
                })
            .toList();
    for (Row row : rows) {
      boolean paired = row.workload().equals(PAIRED);
      List<JsonNode> baselines =
          runs.get(row).stream().map(n -> n.path("baseline")).filter(JsonNode::isObject).toList();
      for (boolean first : new boolean[] {true, false}) {
        Optional<Sessions> mine = sessions(runs.get(row), first);
        if (mine.isEmpty()) {
          continue;
        }
        Optional<Sessions> plain;
        String label = row.target();
        if (paired) {
          plain = sessions(baselines, first);
          plain.ifPresent(
              p -> lines.add(firstByteLine(row.protocol(), "portcullis, paired", first, p, null)));
          label += ", paired";
        } else {
          plain =
              Optional.ofNullable(runs.get(new Row(row.protocol(), row.workload(), "portcullis")))
                  .flatMap(l -> sessions(l, first));
        }
        boolean compared = !row.target().equals("portcullis") && plain.isPresent();
        lines.add(
            firstByteLine(row.protocol(), label, first, mine.get(), compared ? plain.get() : null));
      }
    }
    if (lines.isEmpty()) {
      return;
    }
    out.println(
        "| protocol | target | sessions | n | messages | first byte p50 | first byte min–max"
            + " | p50 vs portcullis | after login p50 | after login vs portcullis"
            + " | RETR/literal p50 |");
    out.println("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    lines.forEach(out::println);
  }

  /** One row of the time-to-first-message table, compared with {@code plain} unless null. */
  private static String firstByteLine(
      String protocol, String target, boolean first, Sessions s, Sessions plain) {
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %d | %.0f | %.2f ms | %.2f–%.2f ms | %s | %s | %s | %.2f ms |",
        protocol,
        target,
        first ? "first of each run" : "later",
        s.ttfb().length,
        median(s.messages()),
        median(s.ttfb()),
        Arrays.stream(s.ttfb()).min().orElse(Double.NaN),
        Arrays.stream(s.ttfb()).max().orElse(Double.NaN),
        plain != null ? versus(s.ttfb(), plain.ttfb()) : "–",
        s.afterLogin().length == 0
            ? "–"
            : String.format(Locale.ROOT, "%.2f ms", median(s.afterLogin())),
        plain != null ? versus(s.afterLogin(), plain.afterLogin()) : "–",
        median(s.perMessage()));
  }

  /** The difference of two groups' medians, or "–" if either has none. */
  private static String versus(double[] mine, double[] plain) {
    return mine.length == 0 || plain.length == 0
        ? "–"
        : String.format(Locale.ROOT, "%+.2f ms", median(mine) - median(plain));
  }

  /** Per-session figures of a group of bulk-fetch sessions, in milliseconds. */
  private record Sessions(
      double[] ttfb, double[] afterLogin, double[] messages, double[] perMessage) {}

  private static Optional<Sessions> sessions(List<JsonNode> list, boolean first) {
    List<JsonNode> picked = new ArrayList<>();
    for (JsonNode run : list) {
      JsonNode detail = run.path("perSession");
      for (int i = first ? 0 : 1; i < (first ? Math.min(1, detail.size()) : detail.size()); i++) {
        if (detail.get(i).path("ttfbMs").isNumber()) {
          picked.add(detail.get(i));
        }
      }
    }
    if (picked.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new Sessions(
            picked.stream().mapToDouble(n -> n.path("ttfbMs").asDouble()).toArray(),
            numbers(picked, "afterLoginMs"),
            picked.stream().mapToDouble(n -> n.path("messages").asDouble()).toArray(),
            numbers(picked, "messageP50Ms")));
  }

  /** The sessions' values of {@code field}, leaving out those without one. */
  private static double[] numbers(List<JsonNode> sessions, String field) {
    return sessions.stream()
        .map(n -> n.path(field))
        .filter(JsonNode::isNumber)
        .mapToDouble(JsonNode::asDouble)
        .toArray();
  }

  private static int order(String workload) {
    return switch (workload) {
      case "login-storm" -> 0;
      case "bulk-fetch" -> 1;
      case PAIRED -> 2;
      default -> 3;
    };
  }

  private static String throughput(List<JsonNode> list, String workload) {
    return switch (workload) {
      case "login-storm" -> String.format(Locale.ROOT, "%.0f logins/s", median(list, "perSecond"));
      case "bulk-fetch" -> String.format(Locale.ROOT, "%.1f MB/s", median(list, "mbPerSecond"));
      default -> String.format(Locale.ROOT, "%.0f sessions", median(list, "sessions"));
    };
  }

  /** Proxy CPU ms per login, or s per GB relayed; none for direct or idle fleets. */
  private static Optional<Double> cpuPerUnit(List<JsonNode> list, String workload) {
    double cpu = 0;
    double units = 0;
    for (JsonNode n : list) {
      if (!n.path("proxyCpuSeconds").isNumber()) {
        return Optional.empty();
      }
      cpu += n.path("proxyCpuSeconds").asDouble();
      units +=
          switch (workload) {
            case "login-storm" -> n.path("sessions").asDouble() / 1000.0; // → ms per login
            case "bulk-fetch" -> n.path("bytes").asDouble() / 1e9;
            default -> Double.NaN;
          };
    }
    return units > 0 ? Optional.of(cpu / units) : Optional.empty();
  }

  /**
   * The JVM's compiler and GC threads' share of the proxy CPU, which a long-lived process
   * amortizes.
   */
  private static String jitShare(List<JsonNode> list) {
    double cpu = 0;
    double jit = 0;
    for (JsonNode n : list) {
      if (!n.path("proxyJitGcCpuSeconds").isNumber()) {
        return "";
      }
      cpu += n.path("proxyCpuSeconds").asDouble();
      jit += Math.max(0, n.path("proxyJitGcCpuSeconds").asDouble());
    }
    return jit > 0 && cpu > 0
        ? String.format(Locale.ROOT, " (JIT+GC %.0f %%)", 100 * jit / cpu)
        : "";
  }

  private static String format(double v, String workload) {
    return workload.equals("login-storm")
        ? String.format(Locale.ROOT, "%.2f ms/login", v)
        : String.format(Locale.ROOT, "%.2f s/GB", v);
  }

  private static Optional<Double> rssPerSession(List<JsonNode> list, String workload) {
    if (!workload.equals("idle-fleet")) {
      return Optional.empty();
    }
    double[] perSession =
        list.stream()
            .filter(n -> n.path("proxyRssDuringKiB").isNumber() && n.path("sessions").asLong() > 0)
            .mapToDouble(
                n ->
                    (n.path("proxyRssDuringKiB").asDouble()
                            - n.path("proxyRssBeforeKiB").asDouble())
                        / n.path("sessions").asDouble())
            .toArray();
    return perSession.length == 0 ? Optional.empty() : Optional.of(median(perSession));
  }

  private static String peakRss(List<JsonNode> list) {
    return list.stream()
        .filter(n -> n.path("proxyHwmKiB").isNumber())
        .mapToDouble(n -> n.path("proxyHwmKiB").asDouble())
        .max()
        .stream()
        .mapToObj(v -> String.format(Locale.ROOT, "%.0f MiB", v / 1024))
        .findFirst()
        .orElse("–");
  }

  private static String latency(List<JsonNode> list, String workload) {
    String field =
        switch (workload) {
          case "login-storm" -> "latencyMs";
          case "bulk-fetch" -> list.getFirst().has("retrMs") ? "retrMs" : "fetchMs";
          default -> "notifyMs";
        };
    double[] p50 =
        list.stream()
            .map(n -> n.path(field).path("p50"))
            .filter(JsonNode::isNumber)
            .mapToDouble(JsonNode::asDouble)
            .toArray();
    if (p50.length == 0) {
      return "–";
    }
    String what =
        switch (field) {
          case "retrMs" -> "RETR ";
          case "fetchMs" -> "FETCH ";
          case "notifyMs" -> "notify ";
          default -> "login ";
        };
    String text = what + String.format(Locale.ROOT, "%.2f ms", median(p50));
    if (field.equals("notifyMs")) {
      // The target is about the last session to hear of new mail, so show the worst one too.
      double max =
          list.stream()
              .mapToDouble(n -> n.path(field).path("max").asDouble(Double.NaN))
              .max()
              .orElse(Double.NaN);
      text += String.format(Locale.ROOT, " (max %.2f ms)", max);
    }
    return text;
  }

  private static String ratio(Optional<Double> v, Optional<Double> nginx, String target) {
    if (target.equals("nginx") || v.isEmpty() || nginx.isEmpty() || nginx.get() <= 0) {
      return "–";
    }
    return String.format(Locale.ROOT, "%.2f×", v.get() / nginx.get());
  }

  private static double median(List<JsonNode> list, String field) {
    return median(list.stream().mapToDouble(n -> n.path(field).asDouble()).toArray());
  }

  static double median(double[] values) {
    if (values.length == 0) {
      return Double.NaN;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
