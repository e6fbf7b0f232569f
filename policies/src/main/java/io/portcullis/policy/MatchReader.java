package io.portcullis.policy;

import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the {@code match} block of a rule into a compiled {@link Match}, rejecting conditions that
 * can never hold together. Not thread-safe; one per load.
 */
final class MatchReader {

  static final Set<String> SESSION_MATCH_KEYS =
      Set.of(
          "user",
          "domain",
          "group",
          "source",
          "listener",
          "protocol",
          "tls-version",
          "client-certificate",
          "mechanism",
          "time",
          "not");
  static final Set<String> MESSAGE_MATCH_KEYS =
      Set.of(
          "labels",
          "min-score",
          "max-score",
          "attachment-class",
          "attachment-type",
          "min-size",
          "max-size");

  /** Verdict labels of the filter module. */
  static final Set<String> LABELS =
      Set.of(
          "spam",
          "phishing",
          "dangerous-attachment",
          "macro",
          "encrypted",
          "decompression-bomb",
          "malformed",
          "scan-error");

  static final Set<String> TLS_VERSIONS = Set.of("TLSv1.2", "TLSv1.3", "none");

  private final YamlTree y;
  private final NamedObjects named;

  MatchReader(YamlTree y, NamedObjects named) {
    this.y = y;
    this.named = named;
  }

  /** The compiled match, or null after reporting why it is invalid. */
  Match read(Node n, String section, boolean inNot) {
    Set<String> allowed = new HashSet<>(SESSION_MATCH_KEYS);
    if (section.equals("filtering")) {
      allowed.addAll(MESSAGE_MATCH_KEYS);
    }
    if (inNot) {
      allowed.remove("not");
    }
    if (n instanceof MappingNode m && !section.equals("filtering")) {
      // Say why a message condition is refused here rather than "unknown key".
      for (var t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && MESSAGE_MATCH_KEYS.contains(k.getValue())) {
          y.error(
              k, "'" + k.getValue() + "' is a message condition; only filtering rules can use it");
          return null;
        }
      }
    }
    YamlTree.Fields fs = y.fields(n, inNot ? "not" : "match", allowed);
    if (fs == null) {
      return null;
    }
    int errors = y.problems().size();
    Set<String> users = null;
    if (fs.has("user")) {
      List<ScalarNode> items = y.scalars(fs.value("user"), "user");
      users = new LinkedHashSet<>();
      for (ScalarNode item : items == null ? List.<ScalarNode>of() : items) {
        users.add(named.userName(item));
      }
    }
    Set<String> domains = null;
    if (fs.has("domain")) {
      List<ScalarNode> items = y.scalars(fs.value("domain"), "domain");
      domains = new LinkedHashSet<>();
      for (ScalarNode item : items == null ? List.<ScalarNode>of() : items) {
        String d = item.getValue().strip().toLowerCase(Locale.ROOT);
        if (d.isEmpty() || d.contains("@") || d.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
          y.error(
              item,
              "domain '"
                  + item.getValue()
                  + "' must be a domain name such as corp.example, without '@'");
        }
        domains.add(d);
      }
    }
    List<Named.Group> gs = named.refs(fs, "group", named.groups, "group");
    List<Named.Network> sources = named.refs(fs, "source", named.networks, "network");
    Set<String> listeners = null;
    if (fs.has("listener")) {
      List<ScalarNode> items = y.scalars(fs.value("listener"), "listener");
      listeners = new LinkedHashSet<>();
      for (ScalarNode item : items == null ? List.<ScalarNode>of() : items) {
        listeners.add(item.getValue());
      }
    }
    Set<String> protocols =
        fs.has("protocol")
            ? named.known(fs.value("protocol"), "protocol", Set.of("imap", "pop3"), "protocol")
            : null;
    Set<String> tls =
        fs.has("tls-version")
            ? named.known(fs.value("tls-version"), "tls-version", TLS_VERSIONS, "TLS version")
            : null;
    Boolean cert =
        fs.has("client-certificate")
            ? y.bool(fs.value("client-certificate"), "client-certificate")
            : null;
    Set<Mechanism> mechanisms = null;
    if (fs.has("mechanism")) {
      List<ScalarNode> items = y.scalars(fs.value("mechanism"), "mechanism");
      mechanisms = EnumSet.noneOf(Mechanism.class);
      for (ScalarNode item : items == null ? List.<ScalarNode>of() : items) {
        Mechanism m = Mechanism.byName(item.getValue());
        if (m == null) {
          y.error(
              item,
              "unknown mechanism '"
                  + item.getValue()
                  + "' (expected one of: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, EXTERNAL, USER)");
        } else {
          mechanisms.add(m);
        }
      }
    }
    List<Named.Window> times = named.refs(fs, "time", named.windows, "time window");
    Set<String> labels =
        fs.has("labels") ? named.known(fs.value("labels"), "labels", LABELS, "label") : null;
    Double minScore = fs.has("min-score") ? y.number(fs.value("min-score"), "min-score") : null;
    Double maxScore = fs.has("max-score") ? y.number(fs.value("max-score"), "max-score") : null;
    Match.Attachments classesCondition = null;
    List<Named.AttachmentClass> cs =
        named.refs(fs, "attachment-class", named.classes, "attachment class");
    if (cs != null) {
      Set<String> cats = new LinkedHashSet<>();
      Set<String> types = new LinkedHashSet<>();
      cs.forEach(
          c -> {
            cats.addAll(c.categories());
            types.addAll(c.types());
          });
      classesCondition = new Match.Attachments(cats, types);
    }
    Match.Attachments typesCondition = null;
    if (fs.has("attachment-type")) {
      Set<String> types = named.types(fs.value("attachment-type"));
      typesCondition = types == null ? null : new Match.Attachments(Set.of(), types);
    }
    Long minSize = fs.has("min-size") ? y.size(fs.value("min-size"), "min-size") : null;
    Long maxSize = fs.has("max-size") ? y.size(fs.value("max-size"), "max-size") : null;
    Match not = null;
    if (fs.has("not")) {
      not = read(fs.value("not"), section, true);
    }
    boolean unresolved =
        (fs.has("group") && gs == null)
            || (fs.has("source") && sources == null)
            || (fs.has("time") && times == null)
            || (fs.has("attachment-class") && cs == null)
            || (fs.has("not") && not == null);
    if (y.problems().size() != errors || unresolved) {
      return null;
    }
    // Conditions that can never hold together: a rule that never matches is a mistake.
    if (minScore != null && maxScore != null && minScore >= maxScore) {
      y.error(
          fs.get("max-score").keyNode(),
          "match can never be satisfied: max-score "
              + maxScore
              + " is not above min-score "
              + minScore);
      return null;
    }
    if (minSize != null && maxSize != null && minSize > maxSize) {
      y.error(
          fs.get("max-size").keyNode(), "match can never be satisfied: max-size is below min-size");
      return null;
    }
    if (Boolean.FALSE.equals(cert)
        && mechanisms != null
        && mechanisms.equals(EnumSet.of(Mechanism.EXTERNAL))) {
      y.error(
          fs.get("client-certificate").keyNode(),
          "match can never be satisfied: EXTERNAL always comes with a client certificate");
      return null;
    }
    if (Boolean.TRUE.equals(cert) && tls != null && tls.equals(Set.of("none"))) {
      y.error(
          fs.get("client-certificate").keyNode(),
          "match can never be satisfied: a client certificate needs TLS");
      return null;
    }
    return new Match(
        new Match.Conditions(
            users,
            domains,
            gs,
            sources,
            listeners,
            protocols,
            tls,
            cert,
            mechanisms,
            times,
            labels,
            minScore,
            maxScore,
            classesCondition,
            typesCondition,
            minSize,
            maxSize,
            not));
  }
}
