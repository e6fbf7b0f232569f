package io.portcullis.policy;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Turns policy YAML into a {@link Policy}: structure, references, contradictions and unreachable
 * rules are checked, matchers and decisions are built once. Not thread-safe; one per load.
 */
final class PolicyCompiler {

  static final Set<String> TOP_KEYS =
      Set.of(
          "version",
          "description",
          "networks",
          "groups",
          "upstreams",
          "attachment-classes",
          "time-windows",
          "defaults",
          "access",
          "routing",
          "scanning",
          "filtering");
  static final List<String> SECTIONS = List.of("access", "routing", "scanning", "filtering");
  static final Set<String> RULE_KEYS = Set.of("id", "description", "mode", "match");
  static final Set<String> ACCESS_KEYS =
      Set.of(
          "decision",
          "reason",
          "mechanisms",
          "second-factor",
          "client-certificate",
          "app-passwords");
  static final Set<String> ROUTING_KEYS = Set.of("upstream", "credentials");
  static final Set<String> SCANNING_KEYS =
      Set.of("scan", "max-size", "over-limit", "on-scan-error");
  static final Set<String> FILTERING_KEYS = Set.of("action", "tag");
  static final String SCAN_ERROR = "scan-error";

  /** Access decision fields; null means "not given here". */
  private record AccessTerms(
      Boolean allow,
      String reason,
      Set<Mechanism> mechanisms,
      SecondFactor secondFactor,
      Boolean clientCertificate,
      Boolean appPasswords) {

    AccessTerms over(AccessTerms base) {
      return new AccessTerms(
          allow != null ? allow : base.allow,
          allow != null && allow ? null : reason != null ? reason : base.reason,
          mechanisms != null ? mechanisms : base.mechanisms,
          secondFactor != null ? secondFactor : base.secondFactor,
          clientCertificate != null ? clientCertificate : base.clientCertificate,
          appPasswords != null ? appPasswords : base.appPasswords);
    }

    AccessDecision decision(RuleRef ref) {
      return allow
          ? new AccessDecision(
              true, "", mechanisms, secondFactor, clientCertificate, appPasswords, ref, List.of())
          : new AccessDecision(
              false, reason, Set.of(), SecondFactor.OFF, false, false, ref, List.of());
    }

    static AccessTerms of(AccessDecision d) {
      return new AccessTerms(
          d.allowed(),
          d.allowed() ? null : d.reason(),
          d.mechanisms(),
          d.secondFactor(),
          d.clientCertificateRequired(),
          d.appPasswordsAllowed());
    }
  }

  private final String source;
  private final String text;
  private final Policy base;
  private final YamlTree y;
  private final NamedObjects named;
  private final MatchReader matches;
  private final Set<String> ruleIds = new HashSet<>();
  private AccessTerms accessTerms;
  private AccessDecision accessDefault;
  private RoutingDecision routingDefault;
  private ScanDecision scanDefault;
  private FilterDecision filterDefault;
  private Tag defaultTag = Tag.SUSPICIOUS;

  /**
   * @param base the policy whose defaults fill what this one leaves out; null only for the built-in
   *     default itself, which must then give every default explicitly
   */
  PolicyCompiler(String source, String text, Policy base) {
    this.source = source;
    this.text = text;
    this.base = base;
    this.y = new YamlTree(source);
    this.named = new NamedObjects(source, base, y);
    this.matches = new MatchReader(y, named);
  }

  Policy compile() throws PolicyException {
    Node root = compose();
    if (root == null || !y.checkPlain(root)) {
      throw failure();
    }
    YamlTree.Fields top = y.fields(root, "the policy", TOP_KEYS);
    if (top == null) {
      throw failure();
    }
    version(top);
    named.readNetworks(top.value("networks"));
    named.readGroups(top.value("groups"));
    named.readUpstreams(top.value("upstreams"));
    named.readClasses(top.value("attachment-classes"));
    named.readWindows(top.value("time-windows"));
    readDefaults(top);
    List<Rule<AccessDecision>> access = new ArrayList<>();
    List<Rule<RoutingDecision>> routing = new ArrayList<>();
    List<Rule<ScanDecision>> scanning = new ArrayList<>();
    List<Rule<FilterDecision>> filtering = new ArrayList<>();
    if (accessDefault != null
        && routingDefault != null
        && scanDefault != null
        && filterDefault != null) {
      readRules(top.value("access"), "access", access);
      readRules(top.value("routing"), "routing", routing);
      readRules(top.value("scanning"), "scanning", scanning);
      readRules(top.value("filtering"), "filtering", filtering);
    }
    if (!y.hasErrors()) {
      unreachable(access);
      unreachable(routing);
      unreachable(scanning);
      unreachable(filtering);
      named.warnUnused();
    }
    if (y.hasErrors()) {
      throw failure();
    }
    return new Policy(
        source,
        text,
        named.networks,
        named.groups,
        named.upstreams,
        named.classes,
        named.windows,
        access,
        routing,
        scanning,
        filtering,
        accessDefault,
        routingDefault,
        scanDefault,
        filterDefault,
        y.problems());
  }

  private PolicyException failure() {
    return new PolicyException(
        y.problems().stream()
            .sorted(
                java.util.Comparator.comparingInt((Problem p) -> p.location().line())
                    .thenComparingInt(p -> p.location().column()))
            .toList());
  }

  private Node compose() throws PolicyException {
    return YamlTree.compose(source, text, "the policy");
  }

  private void version(YamlTree.Fields top) {
    YamlTree.Field v = top.get("version");
    if (v == null) {
      y.error(top.node(), "missing key 'version' (this language is version 1)");
      return;
    }
    String s = y.scalar(v.value(), "version");
    if (s != null && !s.equals("1")) {
      y.error(v.value(), "unsupported version '" + s + "' (this language is version 1)");
    }
  }

  // ---- defaults ---------------------------------------------------------------------------

  private void readDefaults(YamlTree.Fields top) {
    YamlTree.Fields d = null;
    if (top.has("defaults")) {
      d = y.fields(top.value("defaults"), "defaults", Set.copyOf(SECTIONS));
    }
    if (d == null) {
      d = new YamlTree.Fields(top.node(), Map.of());
    }
    if (base == null) {
      for (String section : SECTIONS) {
        if (!d.has(section)) {
          y.error(top.node(), "the built-in policy must give defaults." + section);
        }
      }
      if (y.hasErrors()) {
        return;
      }
    }
    // access
    YamlTree.Field a = d.get("access");
    AccessTerms baseTerms =
        base == null
            ? new AccessTerms(null, null, null, null, null, null)
            : AccessTerms.of(base.accessDefault);
    if (a == null) {
      accessTerms = baseTerms;
      accessDefault = base.accessDefault;
      y.warn(
          top.node(),
          "no defaults.access: sessions that no access rule matches are allowed by the built-in"
              + " default");
    } else {
      YamlTree.Fields fs = y.fields(a.value(), "defaults.access", ACCESS_KEYS);
      AccessTerms given = fs == null ? null : accessTerms(fs, true);
      if (given != null) {
        accessTerms = given.over(baseTerms);
        if (base == null && !complete(accessTerms)) {
          y.error(a.keyNode(), "the built-in policy must give every access default");
          return;
        }
        if (!accessTerms.allow && accessTerms.reason == null) {
          y.error(a.value(), "a deny needs a 'reason' code");
          return;
        }
        accessDefault = accessTerms.decision(defaultRef("access", a));
      }
    }
    // routing
    YamlTree.Field r = d.get("routing");
    if (r == null) {
      routingDefault = base.routingDefault;
    } else {
      YamlTree.Fields fs = y.fields(r.value(), "defaults.routing", ROUTING_KEYS);
      if (fs != null) {
        String upstream = fs.has("upstream") ? named.upstreamRef(fs.value("upstream")) : "default";
        CredentialMode mode =
            fs.has("credentials")
                ? y.keyword(fs.value("credentials"), "credentials", CredentialMode.class)
                : named.upstreams.containsKey(upstream)
                    ? named.upstreams.get(upstream).credentials()
                    : null;
        if (upstream != null && mode != null) {
          routingDefault = new RoutingDecision(upstream, mode, defaultRef("routing", r), List.of());
        } else if (upstream != null && !named.upstreams.containsKey(upstream)) {
          y.error(r.value(), "defaults.routing needs an upstream that is declared under upstreams");
        }
      }
    }
    // scanning
    YamlTree.Field s = d.get("scanning");
    if (s == null) {
      scanDefault = base.scanDefault;
    } else {
      YamlTree.Fields fs = y.fields(s.value(), "defaults.scanning", SCANNING_KEYS);
      if (fs != null) {
        scanDefault =
            scanDecision(fs, base == null ? null : base.scanDefault, defaultRef("scanning", s));
      }
    }
    // filtering
    YamlTree.Field f = d.get("filtering");
    if (f == null) {
      filterDefault = base.filterDefault;
      defaultTag = base.filterDefault.tag().orElse(Tag.SUSPICIOUS);
    } else {
      YamlTree.Fields fs = y.fields(f.value(), "defaults.filtering", FILTERING_KEYS);
      if (fs != null) {
        if (fs.has("tag")) {
          Tag t = tag(fs.value("tag"), Tag.SUSPICIOUS);
          defaultTag = t == null ? Tag.SUSPICIOUS : t;
        }
        FilterAction action =
            fs.has("action")
                ? y.keyword(fs.value("action"), "action", FilterAction.class)
                : base == null ? null : base.filterDefault.action();
        if (action == FilterAction.STRIP) {
          y.error(
              fs.value("action"), "'strip' cannot be a default: it needs an attachment condition");
        } else if (action != null) {
          filterDefault =
              new FilterDecision(
                  action,
                  action == FilterAction.TAG ? Optional.of(defaultTag) : Optional.empty(),
                  Set.of(),
                  Set.of(),
                  defaultRef("filtering", f),
                  List.of());
        }
      }
    }
  }

  private static boolean complete(AccessTerms t) {
    return t.allow != null
        && t.mechanisms != null
        && t.secondFactor != null
        && t.clientCertificate != null
        && t.appPasswords != null;
  }

  private RuleRef defaultRef(String section, YamlTree.Field f) {
    return new RuleRef("defaults", section, y.location(f.keyNode()), false);
  }

  private AccessTerms accessTerms(YamlTree.Fields fs, boolean isDefault) {
    Boolean allow = null;
    if (fs.has("decision")) {
      String d = y.scalar(fs.value("decision"), "decision");
      if ("allow".equals(d)) {
        allow = true;
      } else if ("deny".equals(d)) {
        allow = false;
      } else if (d != null) {
        y.error(fs.value("decision"), "decision must be allow or deny, not '" + d + "'");
        return null;
      } else {
        return null;
      }
    }
    String reason = null;
    if (fs.has("reason")) {
      reason = y.scalar(fs.value("reason"), "reason");
      if (reason != null && !NamedObjects.NAME.matcher(reason).matches()) {
        y.error(
            fs.value("reason"),
            "reason must be a code of lower case letters, digits and '-',"
                + " such as contractors-no-pop3");
        return null;
      }
    }
    Set<Mechanism> mechanisms = null;
    if (fs.has("mechanisms")) {
      List<ScalarNode> items = y.scalars(fs.value("mechanisms"), "mechanisms");
      if (items == null) {
        return null;
      }
      mechanisms = EnumSet.noneOf(Mechanism.class);
      for (ScalarNode item : items) {
        Mechanism m = Mechanism.byName(item.getValue());
        if (m == null) {
          y.error(
              item,
              "unknown mechanism '"
                  + item.getValue()
                  + "' (expected one of: PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, EXTERNAL, USER)");
          return null;
        }
        mechanisms.add(m);
      }
    }
    SecondFactor sf =
        fs.has("second-factor")
            ? y.keyword(fs.value("second-factor"), "second-factor", SecondFactor.class)
            : null;
    Boolean cert = null;
    if (fs.has("client-certificate")) {
      String c = y.scalar(fs.value("client-certificate"), "client-certificate");
      if ("required".equals(c)) {
        cert = true;
      } else if ("optional".equals(c)) {
        cert = false;
      } else if (c != null) {
        y.error(
            fs.value("client-certificate"),
            "client-certificate must be required or optional, not '" + c + "'");
      }
    }
    Boolean app =
        fs.has("app-passwords") ? y.bool(fs.value("app-passwords"), "app-passwords") : null;
    if (Boolean.TRUE.equals(allow) && reason != null) {
      y.error(fs.get("reason").keyNode(), "'reason' is only given with 'decision: deny'");
      return null;
    }
    if (Boolean.FALSE.equals(allow) && reason == null) {
      y.error(fs.get("decision").value(), "a deny needs a 'reason' code");
      return null;
    }
    if (Boolean.FALSE.equals(allow) && !isDefault) {
      for (String key :
          List.of("mechanisms", "second-factor", "client-certificate", "app-passwords")) {
        if (fs.has(key)) {
          y.error(fs.get(key).keyNode(), "'" + key + "' contradicts 'decision: deny'");
          return null;
        }
      }
    }
    return new AccessTerms(allow, reason, mechanisms, sf, cert, app);
  }

  private ScanDecision scanDecision(YamlTree.Fields fs, ScanDecision over, RuleRef ref) {
    ScanScope scope = fs.has("scan") ? y.keyword(fs.value("scan"), "scan", ScanScope.class) : null;
    Long max = fs.has("max-size") ? y.size(fs.value("max-size"), "max-size") : null;
    OverLimitAction overLimit =
        fs.has("over-limit")
            ? y.keyword(fs.value("over-limit"), "over-limit", OverLimitAction.class)
            : null;
    FilterAction onError =
        fs.has("on-scan-error")
            ? y.keyword(fs.value("on-scan-error"), "on-scan-error", FilterAction.class)
            : null;
    if ((fs.has("scan") && scope == null)
        || (fs.has("max-size") && max == null)
        || (fs.has("over-limit") && overLimit == null)
        || (fs.has("on-scan-error") && onError == null)) {
      return null;
    }
    if (scope == ScanScope.OFF) {
      for (String key : List.of("max-size", "over-limit", "on-scan-error")) {
        if (fs.has(key)) {
          y.error(fs.get(key).keyNode(), "'" + key + "' contradicts 'scan: off'");
          return null;
        }
      }
    }
    if (onError == FilterAction.STRIP) {
      y.error(
          fs.value("on-scan-error"),
          "on-scan-error cannot be 'strip': a message that was not parsed has no"
              + " attachments to strip");
      return null;
    }
    if (onError == FilterAction.ALLOW) {
      y.warn(
          fs.value("on-scan-error"),
          "'on-scan-error: allow' delivers messages whose scan failed (fail open)");
    }
    if (over == null && (scope == null || max == null || overLimit == null || onError == null)) {
      y.error(fs.node(), "the built-in policy must give every scanning default");
      return null;
    }
    return new ScanDecision(
        scope != null ? scope : over.scope(),
        max != null ? max : over.maxSize(),
        overLimit != null ? overLimit : over.overLimit(),
        onError != null ? onError : over.onScanError(),
        ref,
        List.of());
  }

  private Tag tag(Node n, Tag over) {
    YamlTree.Fields fs = y.fields(n, "tag", Set.of("keyword", "subject-prefix", "keyword-only"));
    if (fs == null) {
      return null;
    }
    String keyword = over.keyword();
    if (fs.has("keyword")) {
      keyword = y.scalar(fs.value("keyword"), "keyword");
      String problem = keyword == null ? "" : Tag.keywordProblem(keyword);
      if (problem != null) {
        if (!problem.isEmpty()) {
          y.error(fs.value("keyword"), problem);
        }
        return null;
      }
    }
    String prefix = over.subjectPrefix();
    if (fs.has("subject-prefix")) {
      prefix = y.scalar(fs.value("subject-prefix"), "subject-prefix");
      String problem = prefix == null ? "" : Tag.subjectPrefixProblem(prefix);
      if (problem != null) {
        if (!problem.isEmpty()) {
          y.error(fs.value("subject-prefix"), problem);
        }
        return null;
      }
    }
    boolean keywordOnly = over.keywordOnly();
    if (fs.has("keyword-only")) {
      Boolean b = y.bool(fs.value("keyword-only"), "keyword-only");
      if (b == null) {
        return null;
      }
      keywordOnly = b;
    }
    if (keywordOnly && fs.has("subject-prefix")) {
      y.error(
          fs.get("subject-prefix").keyNode(), "'subject-prefix' contradicts 'keyword-only: true'");
      return null;
    }
    return new Tag(keyword, keywordOnly ? "" : prefix, keywordOnly);
  }

  // ---- rules ------------------------------------------------------------------------------

  @SuppressWarnings("unchecked")
  private <D extends Decision> void readRules(Node n, String section, List<Rule<D>> out) {
    if (n == null) {
      return;
    }
    if (!(n instanceof SequenceNode seq)) {
      y.error(n, section + " must be a list of rules");
      return;
    }
    Set<String> decisionKeys =
        switch (section) {
          case "access" -> ACCESS_KEYS;
          case "routing" -> ROUTING_KEYS;
          case "scanning" -> SCANNING_KEYS;
          default -> FILTERING_KEYS;
        };
    Set<String> allowed = new HashSet<>(RULE_KEYS);
    allowed.addAll(decisionKeys);
    for (Node item : seq.getValue()) {
      YamlTree.Fields fs = y.fields(item, "a " + section + " rule", allowed);
      if (fs == null) {
        continue;
      }
      String id = ruleId(fs, section);
      if (id == null) {
        continue;
      }
      boolean monitor = false;
      if (fs.has("mode")) {
        String mode = y.scalar(fs.value("mode"), "mode");
        if ("monitor".equals(mode)) {
          monitor = true;
        } else if (mode != null && !mode.equals("enforce")) {
          y.error(fs.value("mode"), "mode must be enforce or monitor, not '" + mode + "'");
          continue;
        }
      }
      if (fs.byKey().keySet().stream().noneMatch(decisionKeys::contains)) {
        y.error(
            item,
            "rule '"
                + id
                + "' decides nothing; give at least one of: "
                + String.join(", ", new java.util.TreeSet<>(decisionKeys)));
        continue;
      }
      Match match = Match.ALL;
      if (fs.has("match")) {
        match = matches.read(fs.value("match"), section, false);
        if (match == null) {
          continue;
        }
      }
      RuleRef ref = new RuleRef(id, section, y.location(item), monitor);
      Decision d =
          switch (section) {
            case "access" -> accessRule(fs, match, ref);
            case "routing" -> routingRule(fs, ref);
            case "scanning" -> scanDecision(fs, scanDefault, ref);
            default -> filterRule(fs, match, ref);
          };
      if (d != null) {
        out.add(new Rule<>(ref, match, (D) d));
      }
    }
  }

  private String ruleId(YamlTree.Fields fs, String section) {
    if (!fs.has("id")) {
      y.error(fs.node(), "a " + section + " rule needs an 'id'");
      return null;
    }
    String id = y.scalar(fs.value("id"), "id");
    if (id == null) {
      return null;
    }
    if (!NamedObjects.NAME.matcher(id).matches() || id.equals("defaults")) {
      y.error(
          fs.value("id"),
          "rule id '"
              + id
              + "' must be lower case letters, digits, '.', '_' or '-' (and not 'defaults')");
      return null;
    }
    if (!ruleIds.add(id)) {
      y.error(fs.value("id"), "duplicate rule id '" + id + "'");
      return null;
    }
    return id;
  }

  private AccessDecision accessRule(YamlTree.Fields fs, Match match, RuleRef ref) {
    AccessTerms given = accessTerms(fs, false);
    if (given == null) {
      return null;
    }
    AccessTerms merged = given.over(accessTerms);
    if (merged.allow && given.reason != null) {
      y.error(fs.get("reason").keyNode(), "'reason' is only given with 'decision: deny'");
      return null;
    }
    if (!merged.allow) {
      if (given.allow == null) {
        y.error(
            fs.node(),
            "rule '"
                + ref.id()
                + "' sets access terms but inherits 'decision: deny' from"
                + " defaults.access; add 'decision: allow'");
        return null;
      }
      return merged.decision(ref);
    }
    Match.Conditions c = match.conditions();
    if (c.mechanisms() != null && c.mechanisms().stream().noneMatch(merged.mechanisms::contains)) {
      y.error(
          fs.node(),
          "rule '"
              + ref.id()
              + "' matches mechanism "
              + names(c.mechanisms())
              + " but does not allow it; say 'decision: deny' to refuse it");
      return null;
    }
    if (merged.clientCertificate && Boolean.FALSE.equals(c.clientCertificate())) {
      y.error(
          fs.node(),
          "rule '"
              + ref.id()
              + "' matches sessions without a client certificate but requires one;"
              + " say 'decision: deny' to refuse them");
      return null;
    }
    return merged.decision(ref);
  }

  private static String names(Set<Mechanism> ms) {
    return String.join(", ", ms.stream().map(Mechanism::name).sorted().toList());
  }

  private RoutingDecision routingRule(YamlTree.Fields fs, RuleRef ref) {
    String upstream = routingDefault.upstream();
    if (fs.has("upstream")) {
      upstream = named.upstreamRef(fs.value("upstream"));
      if (upstream == null) {
        return null;
      }
    }
    CredentialMode mode;
    if (fs.has("credentials")) {
      mode = y.keyword(fs.value("credentials"), "credentials", CredentialMode.class);
      if (mode == null) {
        return null;
      }
    } else {
      mode =
          fs.has("upstream")
              ? named.upstreams.get(upstream).credentials()
              : routingDefault.credentials();
    }
    return new RoutingDecision(upstream, mode, ref, List.of());
  }

  private FilterDecision filterRule(YamlTree.Fields fs, Match match, RuleRef ref) {
    FilterAction action = filterDefault.action();
    if (fs.has("action")) {
      action = y.keyword(fs.value("action"), "action", FilterAction.class);
      if (action == null) {
        return null;
      }
    }
    Optional<Tag> tag = Optional.empty();
    if (fs.has("tag")) {
      if (action != FilterAction.TAG) {
        y.error(fs.get("tag").keyNode(), "'tag' contradicts 'action: " + action.yamlName() + "'");
        return null;
      }
      Tag t = tag(fs.value("tag"), defaultTag);
      if (t == null) {
        return null;
      }
      tag = Optional.of(t);
    } else if (action == FilterAction.TAG) {
      tag = Optional.of(defaultTag);
    }
    Set<String> stripCategories = Set.of();
    Set<String> stripTypes = Set.of();
    if (action == FilterAction.STRIP) {
      Match.Conditions c = match.conditions();
      if (c.attachmentClasses() == null && c.attachmentTypes() == null) {
        y.error(
            fs.get("action").value(),
            "'strip' needs an attachment-class or attachment-type condition that says"
                + " what to strip");
        return null;
      }
      stripCategories = new LinkedHashSet<>();
      stripTypes = new LinkedHashSet<>();
      for (Match.Attachments a :
          new Match.Attachments[] {c.attachmentClasses(), c.attachmentTypes()}) {
        if (a != null) {
          stripCategories.addAll(a.categories());
          stripTypes.addAll(a.types());
        }
      }
    }
    return new FilterDecision(action, tag, stripCategories, stripTypes, ref, List.of());
  }

  // ---- whole-policy checks ----------------------------------------------------------------

  private <D extends Decision> void unreachable(List<Rule<D>> rules) {
    for (int i = 1; i < rules.size(); i++) {
      Rule<D> later = rules.get(i);
      for (int j = 0; j < i; j++) {
        Rule<D> earlier = rules.get(j);
        if (earlier.monitor()) {
          continue; // a monitor rule decides nothing, so it hides nothing
        }
        if (later.match().namesLabel(SCAN_ERROR) && !earlier.match().namesLabel(SCAN_ERROR)) {
          continue; // messages whose scan failed skip rules that do not name scan-error
        }
        if (later.match().within(earlier.match())) {
          problem(
              later.ref().location(),
              "rule '"
                  + later.ref().id()
                  + "' is unreachable: rule '"
                  + earlier.ref().id()
                  + "' (line "
                  + earlier.ref().location().line()
                  + ") comes first and matches everything it matches");
          break;
        }
      }
    }
  }

  private void problem(Location at, String message) {
    y.problems().add(new Problem(at, message, Problem.Severity.ERROR));
  }
}
