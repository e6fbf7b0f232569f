package io.portcullis.policy;

import static io.portcullis.policy.Sessions.session;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Table-driven evaluation of one policy that exercises every condition and section. */
class PolicyEngineTest {

  private static PolicyEngine engine;

  @BeforeAll
  static void load() throws Exception {
    try (InputStream in = PolicyEngineTest.class.getResourceAsStream("engine-test.yml")) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      engine = new PolicyEngine(PolicyLoader.parse("engine-test.yml", text));
    }
  }

  /** session, expected: allowed, reason, second factor, rule id. */
  static Stream<Arguments> access() {
    return Stream.of(
        Arguments.of(
            session().source("198.51.100.9"), false, "blocked-network", null, "deny-blocked"),
        Arguments.of(session().source("10.1.2.3"), true, "", SecondFactor.IF_ENROLLED, "office"),
        Arguments.of(
            session().source("2001:db8:1::5"), true, "", SecondFactor.IF_ENROLLED, "office"),
        Arguments.of(
            session().source("2001:db8:2::5"), true, "", SecondFactor.REQUIRED, "defaults"),
        Arguments.of(session().source("203.0.113.5"), true, "", SecondFactor.REQUIRED, "defaults"),
        Arguments.of(
            session().source("10.1.2.3").tls(null),
            false,
            "tls-required",
            null,
            "plaintext-denied"),
        Arguments.of(
            session().user("Robot@Corp.Example").mechanism("EXTERNAL").certificate(true),
            true,
            "",
            SecondFactor.OFF,
            "robots-cert"),
        Arguments.of(
            session().user("eve@partner.example"),
            false,
            "partners-use-oauth",
            null,
            "partner-domain"),
        Arguments.of(
            session().user("eve@partner.example").mechanism("XOAUTH2"),
            true,
            "",
            SecondFactor.REQUIRED,
            "defaults"),
        Arguments.of(
            session().user("eve@sub.partner.example"),
            true,
            "",
            SecondFactor.REQUIRED,
            "defaults"));
  }

  @ParameterizedTest(name = "{0} -> {4}")
  @MethodSource("access")
  void decideAccessShouldFollowFirstMatchingEnforcedRule(
      Sessions s, boolean allowed, String reason, SecondFactor secondFactor, String rule) {
    AccessDecision d = engine.decideAccess(s.build());
    assertThat(d.allowed()).isEqualTo(allowed);
    assertThat(d.reason()).isEqualTo(reason);
    if (secondFactor != null) {
      assertThat(d.secondFactor()).isEqualTo(secondFactor);
    }
    assertThat(d.rule().id()).isEqualTo(rule);
  }

  @Test
  void accessRuleShouldTakeUnsetTermsFromDefaults() {
    AccessDecision d = engine.decideAccess(session().source("10.1.2.3").build());
    assertThat(d.mechanisms())
        .containsExactlyInAnyOrder(
            Mechanism.PLAIN, Mechanism.LOGIN, Mechanism.USER, Mechanism.XOAUTH2);
    assertThat(d.appPasswordsAllowed()).isTrue();
    assertThat(d.clientCertificateRequired()).isFalse();
  }

  @Test
  void robotWithPasswordShouldBeAllowedOnlyByCertificateMechanism() {
    AccessDecision d = engine.decideAccess(session().user("robot@corp.example").build());
    assertThat(d.allowsMechanism("PLAIN")).isFalse();
    assertThat(d.allowsMechanism("EXTERNAL")).isTrue();
    assertThat(d.clientCertificateRequired()).isTrue();
  }

  @Test
  void monitorRuleShouldRecordWouldBeDenyButNotAct() {
    AccessDecision d =
        engine.decideAccess(
            session()
                .groups("contractors")
                .protocol("pop3")
                .mechanism("USER")
                .source("10.9.9.9")
                .build());
    assertThat(d.allowed()).isTrue();
    assertThat(d.rule().id()).isEqualTo("office");
    assertThat(d.monitored()).hasSize(1);
    AccessDecision wouldHave = d.monitored().get(0);
    assertThat(wouldHave.allowed()).isFalse();
    assertThat(wouldHave.reason()).isEqualTo("contractors-no-pop3");
    assertThat(wouldHave.rule().monitor()).isTrue();
    assertThat(wouldHave.rule().location()).isEqualTo(new Location("engine-test.yml", 28, 5));
  }

  @Test
  void monitorRuleShouldNotBeRecordedWhenAnEarlierEnforcedRuleDecides() {
    AccessDecision d =
        engine.decideAccess(
            session().groups("contractors").protocol("pop3").source("198.51.100.1").build());
    assertThat(d.rule().id()).isEqualTo("deny-blocked");
    assertThat(d.monitored()).isEmpty();
  }

  @Test
  void timeWindowOverMidnightShouldMatchBothSidesInItsZone() {
    // 22:00-06:00 Europe/Berlin (UTC+1 in January): 21:30Z is 22:30 local, 04:59Z is 05:59 local.
    assertThat(monitoredIds(session().time("2026-01-05T21:30:00Z")))
        .containsExactly("night-logins-monitored");
    assertThat(monitoredIds(session().time("2026-01-06T04:59:00Z")))
        .containsExactly("night-logins-monitored");
    assertThat(monitoredIds(session().time("2026-01-06T05:00:00Z"))).isEmpty();
    assertThat(monitoredIds(session().time("2026-01-05T20:59:59Z"))).isEmpty();
    // Summer time: UTC+2, so 20:30Z is 22:30 local.
    assertThat(monitoredIds(session().time("2026-07-06T20:30:00Z")))
        .containsExactly("night-logins-monitored");
  }

  private static List<String> monitoredIds(Sessions s) {
    return engine.decideAccess(s.build()).monitored().stream().map(d -> d.rule().id()).toList();
  }

  static Stream<Arguments> routing() {
    return Stream.of(
        Arguments.of(session(), "main", CredentialMode.PASSTHROUGH, "defaults"),
        Arguments.of(
            session().groups("executives"), "m365", CredentialMode.OAUTH2, "executives-m365"),
        Arguments.of(
            session().user("bob@corp.example").protocol("pop3"),
            "main",
            CredentialMode.MAPPED,
            "mapped-for-pop3"),
        Arguments.of(
            session().user("bob@corp.example"), "main", CredentialMode.PASSTHROUGH, "defaults"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("routing")
  void routeShouldPickUpstreamAndCredentialMode(
      Sessions s, String upstream, CredentialMode mode, String rule) {
    RoutingDecision d = engine.route(s.build());
    assertThat(d.upstream()).isEqualTo(upstream);
    assertThat(d.credentials()).isEqualTo(mode);
    assertThat(d.rule().id()).isEqualTo(rule);
  }

  @Test
  void scanPlanShouldMergeRuleWithDefaults() {
    ScanDecision d = engine.scanPlan(session().groups("executives").build());
    assertThat(d.scope()).isEqualTo(ScanScope.FULL);
    assertThat(d.maxSize()).isEqualTo(20L << 20);
    assertThat(d.overLimit()).isEqualTo(OverLimitAction.QUARANTINE);
    assertThat(d.onScanError()).isEqualTo(FilterAction.JUNK);
    assertThat(d.scans(20L << 20)).isTrue();
    assertThat(d.scans((20L << 20) + 1)).isFalse();
  }

  static MessageFacts message(
      Set<String> labels, double score, Set<String> categories, Set<String> types, long size) {
    return new MessageFacts(labels, score, categories, types, size);
  }

  /** session, message, expected action, rule id, monitored rule ids. */
  static Stream<Arguments> messages() {
    return Stream.of(
        Arguments.of(
            session(),
            message(Set.of(), 0, Set.of(), Set.of(), 1000),
            FilterAction.ALLOW,
            "defaults",
            List.of()),
        Arguments.of(
            session(),
            message(Set.of("spam"), 12, Set.of(), Set.of(), 1000),
            FilterAction.QUARANTINE,
            "spam-high",
            List.of()),
        Arguments.of(
            session(),
            message(Set.of("spam"), 6, Set.of(), Set.of(), 1000),
            FilterAction.JUNK,
            "spam",
            List.of()),
        Arguments.of(
            session(),
            message(Set.of(), 0, Set.of("script"), Set.of("text/x-shellscript"), 1000),
            FilterAction.STRIP,
            "executables-strip",
            List.of()),
        Arguments.of(
            session(),
            message(Set.of("spam"), 3, Set.of(), Set.of("application/pdf"), 1000),
            FilterAction.JUNK,
            "spam",
            List.of("pdf-monitor")),
        Arguments.of(
            session(),
            message(Set.of(), 0, Set.of(), Set.of(), 6L << 20),
            FilterAction.TAG,
            "large",
            List.of()),
        // Over the scan limit: the scan plan's over-limit action, not the filtering rules.
        Arguments.of(
            session(),
            message(Set.of(), 0, Set.of(), Set.of(), 11L << 20),
            FilterAction.TAG,
            "defaults",
            List.of()),
        Arguments.of(
            session().groups("executives"),
            message(Set.of(), 0, Set.of(), Set.of(), 21L << 20),
            FilterAction.QUARANTINE,
            "executives-strict",
            List.of()),
        // scan-error skips rules that do not name it (fail closed), even ones that would allow.
        Arguments.of(
            session(),
            message(Set.of("scan-error", "spam"), 20, Set.of("script"), Set.of(), 1000),
            FilterAction.QUARANTINE,
            "defaults",
            List.of()),
        Arguments.of(
            session().groups("executives"),
            message(Set.of("scan-error"), 0, Set.of(), Set.of(), 1000),
            FilterAction.JUNK,
            "executives-strict",
            List.of()),
        Arguments.of(
            session().user("robot@corp.example"),
            message(Set.of("scan-error"), 0, Set.of(), Set.of(), 1000),
            FilterAction.TAG,
            "scan-error-tag-for-robots",
            List.of()),
        // Scanning off: no limit applies, filtering rules still see the size.
        Arguments.of(
            session().user("robot@corp.example"),
            message(Set.of(), 0, Set.of(), Set.of(), 100L << 20),
            FilterAction.TAG,
            "large",
            List.of()));
  }

  @ParameterizedTest(name = "{1} -> {2} by {3}")
  @MethodSource("messages")
  void decideMessageShouldApplyScanPlanThenFirstMatchingFilterRule(
      Sessions s, MessageFacts m, FilterAction action, String rule, List<String> monitored) {
    FilterDecision d = engine.decideMessage(s.build(), m);
    assertThat(d.action()).isEqualTo(action);
    assertThat(d.rule().id()).isEqualTo(rule);
    assertThat(d.monitored().stream().map(x -> x.rule().id()).toList()).isEqualTo(monitored);
  }

  @Test
  void stripDecisionShouldNameTheAttachmentsToStrip() {
    FilterDecision d =
        engine.decideMessage(
            session().build(), message(Set.of(), 0, Set.of("executable"), Set.of(), 10));
    assertThat(d.stripCategories()).containsExactlyInAnyOrder("executable", "script");
    assertThat(d.stripTypes()).isEmpty();
  }

  @Test
  void keywordOnlyTagShouldCarryNoSubjectPrefix() {
    FilterDecision d =
        engine.decideMessage(session().build(), message(Set.of(), 0, Set.of(), Set.of(), 6L << 20));
    assertThat(d.tag()).contains(new Tag("$Large", "", true));
  }

  @Test
  void overLimitTagShouldUseTheUnscannedKeyword() {
    FilterDecision d =
        engine.decideMessage(
            session().build(), message(Set.of(), 0, Set.of(), Set.of(), 11L << 20));
    assertThat(d.tag()).contains(Tag.UNSCANNED);
    assertThat(d.rule().section()).isEqualTo("scanning");
  }

  @Test
  void decisionWithoutMonitorMatchShouldBeThePrecompiledInstance() {
    // Allocation-light evaluation: the same decision object comes back for every session it covers.
    assertThat(engine.decideAccess(session().source("10.1.1.1").build()))
        .isSameAs(engine.decideAccess(session().source("10.2.2.2").build()));
  }

  @Test
  void denyByDefaultPolicyShouldAllowListedNetworksWithTheDefaultTerms() throws Exception {
    PolicyEngine e =
        new PolicyEngine(
            PolicyLoader.parse(
                "deny-by-default.yml",
                """
                version: 1
                networks: { office: [10.0.0.0/8] }
                defaults:
                  access:
                    decision: deny
                    reason: not-from-a-known-network
                    mechanisms: [PLAIN]
                    second-factor: required
                access:
                  - id: office
                    match: { source: office }
                    decision: allow
                """));
    AccessDecision inside = e.decideAccess(session().source("10.0.0.1").build());
    assertThat(inside.allowed()).isTrue();
    assertThat(inside.mechanisms()).containsExactly(Mechanism.PLAIN);
    assertThat(inside.secondFactor()).isEqualTo(SecondFactor.REQUIRED);
    AccessDecision outside = e.decideAccess(session().source("192.0.2.1").build());
    assertThat(outside.allowed()).isFalse();
    assertThat(outside.reason()).isEqualTo("not-from-a-known-network");
    assertThat(outside.allowsMechanism("PLAIN")).isFalse();
  }
}
