package io.portcullis.policy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Runs a policy test file: a YAML list of cases, each a session (and optionally a message) with the
 * decisions expected for it, so that a policy repository can have CI of its own. Only the
 * expectations a case states are checked. Stateless and thread-safe.
 */
public final class PolicyTestRunner {

  /** The time of a case that gives none: Monday 2026-01-05 10:00 UTC, so results are stable. */
  public static final Instant DEFAULT_TIME = Instant.parse("2026-01-05T10:00:00Z");

  static final Set<String> FILE_KEYS = Set.of("policy", "cases");
  static final Set<String> CASE_KEYS = Set.of("name", "session", "message", "expect");
  static final Set<String> SESSION_KEYS =
      Set.of(
          "user",
          "groups",
          "source",
          "listener",
          "protocol",
          "tls-version",
          "client-certificate",
          "mechanism",
          "time");
  static final Set<String> MESSAGE_KEYS =
      Set.of("labels", "score", "attachment-categories", "attachment-types", "size");
  static final Set<String> MESSAGE_EXPECTATIONS = Set.of("action", "tag-keyword", "filtering-rule");
  static final Set<String> EXPECT_KEYS =
      Set.of(
          "access",
          "reason",
          "mechanisms",
          "second-factor",
          "client-certificate",
          "app-passwords",
          "access-rule",
          "upstream",
          "credentials",
          "routing-rule",
          "scan",
          "max-size",
          "over-limit",
          "on-scan-error",
          "scanning-rule",
          "action",
          "tag-keyword",
          "filtering-rule",
          "monitored");

  /**
   * One unmet expectation.
   *
   * @param location the expectation in the test file
   * @param caseName the case's name
   * @param message expected and actual value, and the rule that decided
   */
  public record Failure(Location location, String caseName, String message) {
    @Override
    public String toString() {
      return location + ": case '" + caseName + "': " + message;
    }
  }

  /**
   * The outcome of a test file.
   *
   * @param policySource the policy that was tested
   * @param cases how many cases ran
   * @param failures every unmet expectation, in file order
   */
  public record Result(String policySource, int cases, List<Failure> failures) {
    public Result {
      failures = List.copyOf(failures);
    }

    /** Whether every expectation was met. */
    public boolean passed() {
      return failures.isEmpty();
    }
  }

  private PolicyTestRunner() {}

  /**
   * Runs {@code testFile}, loading the policy its {@code policy} key names (relative to the test
   * file).
   *
   * @throws PolicyException if the test file or the policy is invalid
   */
  public static Result run(Path testFile) throws PolicyException {
    String text = read(testFile);
    Node root = compose(testFile.toString(), text);
    YamlTree y = new YamlTree(testFile.toString());
    YamlTree.Fields top = y.checkPlain(root) ? y.fields(root, "the test file", FILE_KEYS) : null;
    if (top == null || !top.has("policy")) {
      if (top != null) {
        y.error(root, "missing key 'policy' (the policy file to test, relative to this file)");
      }
      throw new PolicyException(y.problems());
    }
    String policyPath = y.scalar(top.value("policy"), "policy");
    if (policyPath == null) {
      throw new PolicyException(y.problems());
    }
    Path dir = testFile.getParent();
    Policy policy = PolicyLoader.load(dir == null ? Path.of(policyPath) : dir.resolve(policyPath));
    return run(policy, testFile.toString(), text);
  }

  /**
   * Runs test cases against {@code policy}; a {@code policy} key in the text is ignored.
   *
   * @throws PolicyException if the test text is invalid
   */
  public static Result run(Policy policy, String sourceName, String text) throws PolicyException {
    Node root = compose(sourceName, text);
    YamlTree y = new YamlTree(sourceName);
    YamlTree.Fields top = y.checkPlain(root) ? y.fields(root, "the test file", FILE_KEYS) : null;
    if (top == null) {
      throw new PolicyException(y.problems());
    }
    if (!(top.value("cases") instanceof SequenceNode cases) || cases.getValue().isEmpty()) {
      y.error(top.has("cases") ? top.value("cases") : root, "'cases' must be a non-empty list");
      throw new PolicyException(y.problems());
    }
    PolicyEngine engine = new PolicyEngine(policy);
    Set<String> ruleIds = new LinkedHashSet<>(policy.ruleIds());
    ruleIds.add("defaults");
    List<Failure> failures = new ArrayList<>();
    Set<String> names = new LinkedHashSet<>();
    for (Node c : cases.getValue()) {
      YamlTree.Fields fs = y.fields(c, "a test case", CASE_KEYS);
      if (fs == null) {
        continue;
      }
      String name = fs.has("name") ? y.scalar(fs.value("name"), "name") : null;
      if (name == null) {
        if (!fs.has("name")) {
          y.error(c, "a test case needs a 'name'");
        }
        continue;
      }
      if (!names.add(name)) {
        y.error(fs.value("name"), "duplicate test case name '" + name + "'");
      }
      if (!fs.has("session") || !fs.has("expect")) {
        y.error(c, "test case '" + name + "' needs 'session' and 'expect'");
        continue;
      }
      SessionFacts s = session(y, fs.value("session"));
      MessageFacts m = fs.has("message") ? message(y, fs.value("message")) : null;
      YamlTree.Fields expect = y.fields(fs.value("expect"), "expect", EXPECT_KEYS);
      if (s == null || (fs.has("message") && m == null) || expect == null) {
        continue;
      }
      if (expect.byKey().isEmpty()) {
        y.error(fs.value("expect"), "test case '" + name + "' expects nothing");
        continue;
      }
      Map<String, String> actual = new LinkedHashMap<>();
      Map<String, RuleRef> decidedBy = new LinkedHashMap<>();
      List<String> monitored = new ArrayList<>();
      observe(engine, s, m, actual, decidedBy, monitored);
      for (YamlTree.Field e : expect.byKey().values()) {
        String key = e.key();
        if (MESSAGE_EXPECTATIONS.contains(key) && m == null) {
          y.error(e.keyNode(), "'" + key + "' is expected but the case has no 'message'");
          continue;
        }
        boolean emptyList = e.value() instanceof SequenceNode seq && seq.getValue().isEmpty();
        if ((key.endsWith("-rule") || key.equals("monitored")) && !emptyList) {
          List<ScalarNode> ids = y.scalars(e.value(), key);
          for (ScalarNode id : ids == null ? List.<ScalarNode>of() : ids) {
            if (!ruleIds.contains(id.getValue())) {
              y.error(id, "no rule has the id '" + id.getValue() + "'");
            }
          }
        }
        String expected = expected(y, key, e.value());
        if (expected == null) {
          continue;
        }
        String got = key.equals("monitored") ? String.join(", ", monitored) : actual.get(key);
        if (!expected.equals(got)) {
          RuleRef by = decidedBy.get(section(key));
          failures.add(
              new Failure(
                  y.location(e.value()),
                  name,
                  key
                      + " expected "
                      + show(expected)
                      + ", got "
                      + show(got)
                      + (by == null ? "" : " (decided by " + by + ")")));
        }
      }
    }
    if (y.hasErrors()) {
      throw new PolicyException(y.problems());
    }
    return new Result(policy.sourceName(), names.size(), failures);
  }

  private static String show(String value) {
    return value == null || value.isEmpty() ? "nothing" : value;
  }

  private static String section(String key) {
    return switch (key) {
      case "access",
          "reason",
          "mechanisms",
          "second-factor",
          "client-certificate",
          "app-passwords",
          "access-rule" ->
          "access";
      case "upstream", "credentials", "routing-rule" -> "routing";
      case "scan", "max-size", "over-limit", "on-scan-error", "scanning-rule" -> "scanning";
      case "monitored" -> "none";
      default -> "filtering";
    };
  }

  private static void observe(
      PolicyEngine engine,
      SessionFacts s,
      MessageFacts m,
      Map<String, String> actual,
      Map<String, RuleRef> decidedBy,
      List<String> monitored) {
    AccessDecision a = engine.decideAccess(s);
    actual.put("access", a.allowed() ? "allow" : "deny");
    actual.put("reason", a.reason());
    actual.put(
        "mechanisms",
        a.mechanisms().stream().map(Mechanism::name).sorted().collect(Collectors.joining(", ")));
    actual.put("second-factor", a.allowed() ? a.secondFactor().yamlName() : "");
    actual.put(
        "client-certificate",
        !a.allowed() ? "" : a.clientCertificateRequired() ? "required" : "optional");
    actual.put("app-passwords", a.allowed() ? String.valueOf(a.appPasswordsAllowed()) : "");
    actual.put("access-rule", a.rule().id());
    decidedBy.put("access", a.rule());
    RoutingDecision r = engine.route(s);
    actual.put("upstream", r.upstream());
    actual.put("credentials", r.credentials().yamlName());
    actual.put("routing-rule", r.rule().id());
    decidedBy.put("routing", r.rule());
    ScanDecision p = engine.scanPlan(s);
    actual.put("scan", p.scope().yamlName());
    actual.put("max-size", String.valueOf(p.maxSize()));
    actual.put("over-limit", p.overLimit().yamlName());
    actual.put("on-scan-error", p.onScanError().yamlName());
    actual.put("scanning-rule", p.rule().id());
    decidedBy.put("scanning", p.rule());
    List<Decision> all = new ArrayList<>(List.of(a, r, p));
    if (m != null) {
      FilterDecision f = engine.decideMessage(s, m);
      actual.put("action", f.action().yamlName());
      actual.put("tag-keyword", f.tag().map(Tag::keyword).orElse(""));
      actual.put("filtering-rule", f.rule().id());
      decidedBy.put("filtering", f.rule());
      all.add(f);
    }
    for (Decision d : all) {
      d.monitored().forEach(x -> monitored.add(x.rule().id()));
    }
  }

  private static String expected(YamlTree y, String key, Node n) {
    return switch (key) {
      case "mechanisms" -> {
        List<ScalarNode> items = y.scalars(n, key);
        yield items == null
            ? null
            : items.stream()
                .map(ScalarNode::getValue)
                .collect(Collectors.toCollection(TreeSet::new))
                .stream()
                .collect(Collectors.joining(", "));
      }
      case "monitored" -> {
        if (n instanceof SequenceNode seq && seq.getValue().isEmpty()) {
          yield "";
        }
        List<ScalarNode> items = y.scalars(n, key);
        yield items == null
            ? null
            : items.stream().map(ScalarNode::getValue).collect(Collectors.joining(", "));
      }
      case "max-size" -> {
        Long size = y.size(n, key);
        yield size == null ? null : String.valueOf(size);
      }
      default -> y.scalar(n, key);
    };
  }

  private static SessionFacts session(YamlTree y, Node n) {
    YamlTree.Fields fs = y.fields(n, "session", SESSION_KEYS);
    if (fs == null) {
      return null;
    }
    int before = y.problems().size();
    String user = fs.has("user") ? y.scalar(fs.value("user"), "user") : null;
    if (!fs.has("user") || !fs.has("source")) {
      y.error(n, "a session needs 'user' and 'source'");
      return null;
    }
    Set<String> groups = fs.has("groups") ? strings(y, fs.value("groups"), "groups") : Set.of();
    InetAddress source = address(y, fs.value("source"));
    String listener = fs.has("listener") ? y.scalar(fs.value("listener"), "listener") : "default";
    String protocol = fs.has("protocol") ? y.scalar(fs.value("protocol"), "protocol") : "imap";
    if (protocol != null && !protocol.equals("imap") && !protocol.equals("pop3")) {
      y.error(fs.value("protocol"), "protocol must be imap or pop3, not '" + protocol + "'");
    }
    String tls =
        fs.has("tls-version") ? y.scalar(fs.value("tls-version"), "tls-version") : "TLSv1.3";
    Boolean cert =
        fs.has("client-certificate")
            ? y.bool(fs.value("client-certificate"), "client-certificate")
            : Boolean.FALSE;
    String mechanism = fs.has("mechanism") ? y.scalar(fs.value("mechanism"), "mechanism") : "PLAIN";
    Instant time = DEFAULT_TIME;
    if (fs.has("time")) {
      String t = y.scalar(fs.value("time"), "time");
      try {
        time = t == null ? null : Instant.parse(t);
      } catch (DateTimeParseException e) {
        y.error(
            fs.value("time"),
            "time must be an instant such as 2026-03-02T09:30:00Z, not '" + t + "'");
      }
    }
    if (y.problems().size() != before || groups == null) {
      return null;
    }
    return new SessionFacts(
        user,
        groups,
        source,
        listener,
        protocol,
        tls.equals("none") ? Optional.empty() : Optional.of(tls),
        cert,
        mechanism,
        time);
  }

  private static MessageFacts message(YamlTree y, Node n) {
    YamlTree.Fields fs = y.fields(n, "message", MESSAGE_KEYS);
    if (fs == null) {
      return null;
    }
    int before = y.problems().size();
    Set<String> labels = fs.has("labels") ? strings(y, fs.value("labels"), "labels") : Set.of();
    Double score = fs.has("score") ? y.number(fs.value("score"), "score") : Double.valueOf(0);
    Set<String> categories =
        fs.has("attachment-categories")
            ? strings(y, fs.value("attachment-categories"), "attachment-categories")
            : Set.of();
    Set<String> types =
        fs.has("attachment-types")
            ? strings(y, fs.value("attachment-types"), "attachment-types")
            : Set.of();
    Long size = fs.has("size") ? y.size(fs.value("size"), "size") : Long.valueOf(10_000);
    if (y.problems().size() != before) {
      return null;
    }
    return new MessageFacts(labels, score, categories, types, size);
  }

  private static Set<String> strings(YamlTree y, Node n, String what) {
    if (n instanceof SequenceNode seq && seq.getValue().isEmpty()) {
      return Set.of();
    }
    List<ScalarNode> items = y.scalars(n, what);
    return items == null
        ? null
        : items.stream()
            .map(ScalarNode::getValue)
            .collect(Collectors.toCollection(LinkedHashSet::new));
  }

  private static InetAddress address(YamlTree y, Node n) {
    String s = y.scalar(n, "source");
    if (s == null) {
      return null;
    }
    byte[] raw = s.indexOf(':') >= 0 ? Cidr.parseIpv6(s) : Cidr.parseIpv4(s);
    if (raw == null) {
      y.error(n, "source must be an IPv4 or IPv6 address, not '" + s + "'");
      return null;
    }
    try {
      return InetAddress.getByAddress(raw); // no name lookup
    } catch (UnknownHostException e) {
      y.error(n, "source must be an IPv4 or IPv6 address, not '" + s + "'");
      return null;
    }
  }

  private static String read(Path file) throws PolicyException {
    try {
      if (Files.size(file) > PolicyLoader.MAX_POLICY_BYTES) {
        throw fail(
            file.toString(),
            "test file is larger than " + PolicyLoader.MAX_POLICY_BYTES + " bytes");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw fail(
          file.toString(), "cannot read the test file (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static Node compose(String source, String text) throws PolicyException {
    return YamlTree.compose(source, text, "the test file");
  }

  private static PolicyException fail(String source, String message) {
    return new PolicyException(
        List.of(new Problem(new Location(source, 1, 1), message, Problem.Severity.ERROR)));
  }
}
