package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Validation messages are part of the interface operators see: they are checked literally. */
class PolicyValidationTest {

  static Stream<Arguments> invalidPolicies() {
    return Stream.of(
        Arguments.of(
            "unknown top-level key with a suggestion",
            """
            version: 1
            acess: []
            """,
            List.of("policy.yml:2:1: unknown key 'acess' in the policy (did you mean 'access'?)")),
        Arguments.of(
            "unknown key in a rule lists what is allowed",
            """
            version: 1
            access:
              - id: a
                decision: allow
                frobnicate: true
            """,
            List.of(
                "policy.yml:5:5: unknown key 'frobnicate' in a access rule (expected one of:"
                    + " app-passwords, client-certificate, decision, description, id, match,"
                    + " mechanisms, mode, reason, second-factor)")),
        Arguments.of(
            "misspelt match key",
            """
            version: 1
            access:
              - id: a
                match: { mechansim: PLAIN }
                second-factor: required
            """,
            List.of(
                "policy.yml:4:14: unknown key 'mechansim' in match (did you mean 'mechanism'?)")),
        Arguments.of(
            "missing version",
            """
            access: []
            """,
            List.of("policy.yml:1:1: missing key 'version' (this language is version 1)")),
        Arguments.of(
            "undefined network and group",
            """
            version: 1
            networks:
              office: [10.0.0.0/8]
            access:
              - id: a
                match: { source: ofice, group: staff }
                second-factor: "off"
            """,
            List.of(
                "policy.yml:6:22: undefined network 'ofice' (declared: office)",
                "policy.yml:6:36: undefined group 'staff' (none is declared)")),
        Arguments.of(
            "undefined upstream",
            """
            version: 1
            routing:
              - id: r
                upstream: gmail
            """,
            List.of("policy.yml:4:15: undefined upstream 'gmail' (declared: default)")),
        Arguments.of(
            "CIDR with host bits set",
            """
            version: 1
            networks:
              office: [10.1.2.3/8, "2001:db8::/129", 300.1.1.1]
            """,
            List.of(
                "policy.yml:3:12: '10.1.2.3/8' has host bits set beyond the /8 prefix",
                "policy.yml:3:24: '2001:db8::/129' has a prefix length over 128",
                "policy.yml:3:42: '300.1.1.1' is not an IPv4 or IPv6 address")),
        Arguments.of(
            "rule shadowed by a broader earlier rule",
            """
            version: 1
            networks:
              office: [10.0.0.0/8]
              lab: [10.5.0.0/16]
            access:
              - id: office
                match: { source: office }
                second-factor: "off"
              - id: lab
                match: { source: lab, protocol: imap }
                second-factor: if-enrolled
            """,
            List.of(
                "policy.yml:9:5: rule 'lab' is unreachable: rule 'office' (line 6) comes first and"
                    + " matches everything it matches")),
        Arguments.of(
            "rule after a catch-all",
            """
            version: 1
            filtering:
              - id: everything
                action: tag
              - id: spam
                match: { labels: spam }
                action: junk
            """,
            List.of(
                "policy.yml:5:5: rule 'spam' is unreachable: rule 'everything' (line 3) comes first"
                    + " and matches everything it matches")),
        Arguments.of(
            "a score range that is shadowed",
            """
            version: 1
            filtering:
              - id: high
                match: { min-score: 5 }
                action: junk
              - id: higher
                match: { min-score: 10, max-score: 20 }
                action: quarantine
            """,
            List.of(
                "policy.yml:6:5: rule 'higher' is unreachable: rule 'high' (line 3) comes first and"
                    + " matches everything it matches")),
        Arguments.of(
            "user shadowed by an earlier rule for the whole domain",
            """
            version: 1
            access:
              - id: corp
                match: { domain: corp.example }
                second-factor: required
              - id: alice
                match: { user: Alice@Corp.Example }
                second-factor: "off"
            """,
            List.of(
                "policy.yml:6:5: rule 'alice' is unreachable: rule 'corp' (line 3) comes first and"
                    + " matches everything it matches")),
        Arguments.of(
            "monitor rule after the enforcing rule that hides it",
            """
            version: 1
            routing:
              - id: pop3
                match: { protocol: pop3 }
                credentials: mapped
              - id: pop3-try-oauth
                mode: monitor
                match: { protocol: pop3, group: g }
                credentials: oauth2
            groups: { g: {} }
            """,
            List.of(
                "policy.yml:6:5: rule 'pop3-try-oauth' is unreachable: rule 'pop3' (line 3) comes"
                    + " first and matches everything it matches")),
        Arguments.of(
            "deny with access terms",
            """
            version: 1
            access:
              - id: a
                decision: deny
                reason: nope
                second-factor: required
            """,
            List.of("policy.yml:6:5: 'second-factor' contradicts 'decision: deny'")),
        Arguments.of(
            "deny without a reason",
            """
            version: 1
            access:
              - id: a
                decision: deny
            """,
            List.of("policy.yml:4:15: a deny needs a 'reason' code")),
        Arguments.of(
            "allow with a reason",
            """
            version: 1
            access:
              - id: a
                decision: allow
                reason: because
            """,
            List.of("policy.yml:5:5: 'reason' is only given with 'decision: deny'")),
        Arguments.of(
            "reason on a rule that inherits allow",
            """
            version: 1
            access:
              - id: a
                reason: because
            """,
            List.of("policy.yml:4:5: 'reason' is only given with 'decision: deny'")),
        Arguments.of(
            "matched mechanism that the rule does not allow",
            """
            version: 1
            access:
              - id: a
                match: { mechanism: USER }
                mechanisms: [PLAIN]
            """,
            List.of(
                "policy.yml:3:5: rule 'a' matches mechanism USER but does not allow it; say"
                    + " 'decision: deny' to refuse it")),
        Arguments.of(
            "client certificate required of sessions matched without one",
            """
            version: 1
            access:
              - id: a
                match: { client-certificate: false }
                client-certificate: required
            """,
            List.of(
                "policy.yml:3:5: rule 'a' matches sessions without a client certificate but"
                    + " requires one; say 'decision: deny' to refuse them")),
        Arguments.of(
            "terms on an inherited deny",
            """
            version: 1
            defaults:
              access: { decision: deny, reason: not-listed }
            access:
              - id: a
                second-factor: required
            """,
            List.of(
                "policy.yml:5:5: rule 'a' sets access terms but inherits 'decision: deny' from"
                    + " defaults.access; add 'decision: allow'")),
        Arguments.of(
            "empty score range",
            """
            version: 1
            filtering:
              - id: f
                match: { min-score: 8, max-score: 5 }
                action: junk
            """,
            List.of(
                "policy.yml:4:28: match can never be satisfied: max-score 5.0 is not above"
                    + " min-score 8.0")),
        Arguments.of(
            "strip without an attachment condition",
            """
            version: 1
            filtering:
              - id: f
                match: { labels: macro }
                action: strip
            """,
            List.of(
                "policy.yml:5:13: 'strip' needs an attachment-class or attachment-type condition"
                    + " that says what to strip")),
        Arguments.of(
            "tag on a non-tag action",
            """
            version: 1
            filtering:
              - id: f
                match: { labels: spam }
                action: junk
                tag: { keyword: $Junk }
            """,
            List.of("policy.yml:6:5: 'tag' contradicts 'action: junk'")),
        Arguments.of(
            "scan off with a size limit",
            """
            version: 1
            scanning:
              - id: s
                scan: "off"
                max-size: 10MiB
            """,
            List.of("policy.yml:5:5: 'max-size' contradicts 'scan: off'")),
        Arguments.of(
            "message condition in an access rule",
            """
            version: 1
            access:
              - id: a
                match: { labels: spam }
                second-factor: required
            """,
            List.of(
                "policy.yml:4:14: 'labels' is a message condition; only filtering rules can use"
                    + " it")),
        Arguments.of(
            "duplicate rule id and duplicate key",
            """
            version: 1
            access:
              - id: a
                second-factor: required
              - id: a
                second-factor: required
                second-factor: "off"
            """,
            List.of(
                "policy.yml:5:9: duplicate rule id 'a'",
                "policy.yml:7:5: duplicate key 'second-factor' in a access rule")),
        Arguments.of(
            "rule that decides nothing",
            """
            version: 1
            routing:
              - id: r
                match: { protocol: pop3 }
            """,
            List.of(
                "policy.yml:3:5: rule 'r' decides nothing; give at least one of: credentials,"
                    + " upstream")),
        Arguments.of(
            "unknown label, category and mechanism",
            """
            version: 1
            attachment-classes:
              bad: { categories: [executables] }
            filtering:
              - id: f
                match: { labels: [spma] }
                action: junk
            access:
              - id: a
                mechanisms: [CRAM-MD5]
            """,
            List.of(
                "policy.yml:3:23: unknown attachment category 'executables' (did you mean"
                    + " 'executable'?)",
                "policy.yml:6:23: unknown label 'spma' (did you mean 'spam'?)",
                "policy.yml:10:18: unknown mechanism 'CRAM-MD5' (expected one of: PLAIN, LOGIN,"
                    + " XOAUTH2, OAUTHBEARER, EXTERNAL, USER)")),
        Arguments.of(
            "header injection through a subject prefix",
            """
            version: 1
            filtering:
              - id: f
                match: { labels: spam }
                action: tag
                tag: { subject-prefix: "[SPAM]\\r\\nBcc: attacker@evil.example" }
            """,
            List.of(
                "policy.yml:6:28: subject-prefix must not contain control characters (header"
                    + " injection)")),
        Arguments.of(
            "IMAP command injection through a keyword",
            """
            version: 1
            filtering:
              - id: f
                match: { labels: spam }
                action: tag
                tag: { keyword: "$Junk) UID EXPUNGE 1:*" }
            """,
            List.of("policy.yml:6:21: keyword '$Junk) UID EXPUNGE 1:*' is not an IMAP atom")),
        Arguments.of(
            "bad time window",
            """
            version: 1
            time-windows:
              night: { days: [mon-fry], from: "25:00", to: "06:00", zone: Mars/Olympus }
            """,
            List.of(
                "policy.yml:3:19: 'mon-fry' is not a day (mon … sun) or a range such as mon-fri",
                "policy.yml:3:35: 'from' must be a time HH:MM such as 07:30, not '25:00'",
                "policy.yml:3:63: unknown time zone 'Mars/Olympus' (use a name such as"
                    + " Europe/Berlin)")),
        Arguments.of(
            "YAML syntax error",
            """
            version: 1
            access: [
            """,
            List.of(
                "policy.yml:3:1: not valid YAML: expected the node content, but found '<stream"
                    + " end>'")),
        Arguments.of(
            "billion laughs: aliases are refused",
            """
            version: 1
            networks:
              a: &a [10.0.0.0/8]
              b: *a
            """,
            List.of(
                "policy.yml:4:6: aliases are not supported in a policy; repeat the value or name"
                    + " an object")),
        Arguments.of(
            "explicit YAML tags cannot construct objects",
            """
            version: 1
            description: !!javax.script.ScriptEngineManager [x]
            """,
            List.of(
                "policy.yml:2:14: not valid YAML: Global tag is not allowed:"
                    + " tag:yaml.org,2002:javax.script.ScriptEngineManager")),
        Arguments.of(
            "local YAML tags are refused",
            """
            version: 1
            description: !include secrets.yml
            """,
            List.of("policy.yml:2:14: tag '!include' is not supported in a policy")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalidPolicies")
  void loadShouldRejectWithExactMessages(String what, String yaml, List<String> expected) {
    PolicyException e =
        catchThrowableOfType(PolicyException.class, () -> PolicyLoader.parse("policy.yml", yaml));
    assertThat(e).as(what).isNotNull();
    assertThat(
            e.problems().stream()
                .filter(p -> p.severity() == Problem.Severity.ERROR)
                .map(Problem::toString))
        .as(what)
        .containsExactlyElementsOf(expected);
  }

  static Stream<Arguments> reachablePolicies() {
    return Stream.of(
        Arguments.of(
            "a monitor rule hides nothing",
            """
            filtering:
              - id: rollout
                mode: monitor
                action: quarantine
              - id: spam
                match: { labels: spam }
                action: junk
            """),
        Arguments.of(
            "a rule naming scan-error is reached by failed scans",
            """
            filtering:
              - id: all-pdfs
                match: { attachment-type: application/pdf }
                action: allow
              - id: failed-pdfs
                match: { labels: scan-error, attachment-type: application/pdf }
                action: tag
            """),
        Arguments.of(
            "a narrower rule before a broader one",
            """
            networks: { lab: [10.5.0.0/16], office: [10.0.0.0/8] }
            access:
              - id: lab
                match: { source: lab }
                second-factor: if-enrolled
              - id: office
                match: { source: office }
                second-factor: "off"
            """),
        Arguments.of(
            "a later rule reached by what an earlier negation leaves out",
            """
            groups: { g: {} }
            access:
              - id: not-g
                match: { not: { group: g } }
                second-factor: required
              - id: imap
                match: { protocol: imap }
                second-factor: "off"
            """),
        Arguments.of(
            "overlapping but not nested networks",
            """
            networks: { a: [10.0.0.0/9], b: [10.0.0.0/8] }
            access:
              - id: a
                match: { source: a }
                second-factor: if-enrolled
              - id: b
                match: { source: b }
                second-factor: "off"
            """));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("reachablePolicies")
  void loadShouldAcceptRulesThatCanStillMatch(String what, String rules) throws Exception {
    Policy p =
        PolicyLoader.parse(
            "policy.yml", "version: 1\ndefaults: { access: { decision: allow } }\n" + rules);
    assertThat(p.ruleIds()).as(what).isNotEmpty();
  }
}
