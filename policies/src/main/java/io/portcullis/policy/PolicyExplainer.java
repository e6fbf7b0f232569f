package io.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Explains decisions in words an operator can check against the policy file: what was decided, by
 * which rule at which line, and what monitor-mode rules would have done. Used by {@code policy
 * explain}, {@code scan} and the audit log. Immutable and thread-safe.
 */
public final class PolicyExplainer {

  private final PolicyEngine engine;

  /** An explainer of {@code engine}'s decisions. */
  public PolicyExplainer(PolicyEngine engine) {
    this.engine = Objects.requireNonNull(engine, "engine");
  }

  /** The session's access, routing and scanning decisions, one block each. */
  public String explain(SessionFacts s) {
    StringBuilder b = new StringBuilder();
    b.append("policy: ").append(engine.policy().sourceName()).append('\n');
    b.append("session: ").append(describe(s)).append('\n');
    append(b, engine.decideAccess(s));
    append(b, engine.route(s));
    append(b, engine.scanPlan(s));
    return b.toString();
  }

  /** As {@link #explain(SessionFacts)}, then the message and what happens to it. */
  public String explain(SessionFacts s, MessageFacts m) {
    StringBuilder b = new StringBuilder(explain(s));
    b.append("message: ").append(describe(m)).append('\n');
    append(b, engine.decideMessage(s, m));
    return b.toString();
  }

  /** One line: what a decision says (without the rule). */
  public static String summary(Decision d) {
    return switch (d) {
      case AccessDecision a ->
          a.allowed()
              ? "allow: mechanisms "
                  + a.mechanisms().stream()
                      .map(Mechanism::name)
                      .sorted()
                      .collect(Collectors.joining(", "))
                  + "; second factor "
                  + a.secondFactor().yamlName()
                  + "; client certificate "
                  + (a.clientCertificateRequired() ? "required" : "optional")
                  + "; app passwords "
                  + (a.appPasswordsAllowed() ? "allowed" : "refused")
              : "deny (reason " + a.reason() + ")";
      case RoutingDecision r ->
          "upstream " + r.upstream() + " with " + r.credentials().yamlName() + " credentials";
      case ScanDecision sc ->
          sc.scope() == ScanScope.OFF
              ? "not scanned"
              : sc.scope().yamlName()
                  + " scan up to "
                  + size(sc.maxSize())
                  + "; over the limit: "
                  + sc.overLimit().yamlName()
                  + "; on scan error: "
                  + sc.onScanError().yamlName();
      case FilterDecision f -> filterSummary(f);
    };
  }

  private static String filterSummary(FilterDecision f) {
    StringBuilder b = new StringBuilder(f.action().yamlName());
    f.tag()
        .ifPresent(
            t -> {
              b.append(" with keyword ").append(t.keyword());
              if (t.keywordOnly()) {
                b.append(" only");
              } else if (!t.subjectPrefix().isEmpty()) {
                b.append(" and subject prefix \"").append(t.subjectPrefix()).append('"');
              }
            });
    if (f.action() == FilterAction.STRIP) {
      b.append(" attachments");
      if (!f.stripCategories().isEmpty()) {
        b.append(" in categories ").append(new TreeSet<>(f.stripCategories()));
      }
      if (!f.stripTypes().isEmpty()) {
        b.append(f.stripCategories().isEmpty() ? " of types " : " or of types ")
            .append(new TreeSet<>(f.stripTypes()));
      }
    }
    return b.toString();
  }

  private static void append(StringBuilder b, Decision d) {
    String section =
        switch (d) {
          case AccessDecision a -> "access";
          case RoutingDecision r -> "routing";
          case ScanDecision s -> "scanning";
          case FilterDecision f -> "filtering";
        };
    b.append(section).append(": ").append(summary(d)).append('\n');
    b.append("  decided by ").append(d.rule());
    if (d instanceof FilterDecision && d.rule().section().equals("scanning")) {
      b.append(" (the scan plan's over-limit or on-scan-error action)");
    }
    b.append('\n');
    List<? extends Decision> monitored = d.monitored();
    for (Decision m : monitored) {
      b.append("  monitor: ")
          .append(m.rule())
          .append(" would have decided: ")
          .append(summary(m))
          .append('\n');
    }
  }

  static String describe(SessionFacts s) {
    return "user "
        + s.user()
        + ", groups "
        + new TreeSet<>(s.groups())
        + ", source "
        + s.source().getHostAddress()
        + ", listener "
        + s.listener()
        + ", protocol "
        + s.protocol()
        + ", "
        + s.tlsVersion().orElse("no TLS")
        + ", "
        + (s.clientCertificate() ? "client certificate" : "no client certificate")
        + ", mechanism "
        + s.mechanism()
        + ", time "
        + s.time();
  }

  static String describe(MessageFacts m) {
    return "labels "
        + new TreeSet<>(m.labels())
        + ", score "
        + m.score()
        + ", attachment categories "
        + new TreeSet<>(m.attachmentCategories())
        + ", attachment types "
        + new TreeSet<>(m.attachmentTypes())
        + ", size "
        + size(m.size());
  }

  static String size(long octets) {
    if (octets >= 1024L * 1024 * 1024 && octets % (1024L * 1024 * 1024) == 0) {
      return octets / (1024L * 1024 * 1024) + " GiB";
    }
    if (octets >= 1024L * 1024 && octets % (1024L * 1024) == 0) {
      return octets / (1024L * 1024) + " MiB";
    }
    if (octets >= 1024 && octets % 1024 == 0) {
      return octets / 1024 + " KiB";
    }
    return octets + " octets";
  }
}
