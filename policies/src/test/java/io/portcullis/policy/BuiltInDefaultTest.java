package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BuiltInDefaultTest {

  private final PolicyEngine engine = new PolicyEngine(Policy.builtInDefault());

  private static SessionFacts session() throws Exception {
    return new SessionFacts(
        "alice@corp.example",
        Set.of(),
        InetAddress.getByName("192.0.2.10"),
        "imaps",
        "imap",
        Optional.of("TLSv1.3"),
        false,
        "PLAIN",
        Instant.parse("2026-03-02T10:00:00Z"));
  }

  @Test
  void builtInDefaultShouldAllowEveryMechanismWithSecondFactorIfEnrolled() throws Exception {
    AccessDecision d = engine.decideAccess(session());
    assertThat(d.allowed()).isTrue();
    assertThat(d.mechanisms()).containsExactlyInAnyOrder(Mechanism.values());
    assertThat(d.secondFactor()).isEqualTo(SecondFactor.IF_ENROLLED);
    assertThat(d.rule().toString()).isEqualTo("defaults.access (<built-in>:16:3)");
  }

  @Test
  void builtInDefaultShouldRouteToTheDefaultUpstreamWithPassthroughCredentials() throws Exception {
    RoutingDecision d = engine.route(session());
    assertThat(d.upstream()).isEqualTo("default");
    assertThat(d.credentials()).isEqualTo(CredentialMode.PASSTHROUGH);
  }

  @Test
  void builtInDefaultShouldQuarantineMessagesWhoseScanFailed() throws Exception {
    MessageFacts m = new MessageFacts(Set.of("scan-error"), 0, Set.of(), Set.of(), 1000);
    FilterDecision d = engine.decideMessage(session(), m);
    assertThat(d.action()).isEqualTo(FilterAction.QUARANTINE);
    assertThat(d.rule().section()).isEqualTo("scanning");
  }

  @Test
  void builtInDefaultShouldSendSpamToJunkAndQuarantinePhishing() throws Exception {
    assertThat(
            engine
                .decideMessage(
                    session(), new MessageFacts(Set.of("spam"), 9, Set.of(), Set.of(), 10))
                .action())
        .isEqualTo(FilterAction.JUNK);
    assertThat(
            engine
                .decideMessage(
                    session(),
                    new MessageFacts(Set.of("phishing", "spam"), 9, Set.of(), Set.of(), 10))
                .rule()
                .id())
        .isEqualTo("builtin-dangerous");
  }

  @Test
  void builtInDefaultShouldLoadWithoutWarnings() {
    assertThat(Policy.builtInDefault().warnings()).isEmpty();
  }
}
