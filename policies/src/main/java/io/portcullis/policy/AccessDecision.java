package io.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Whether a session may proceed, and on which terms: the mechanisms it may have used, whether a
 * second factor and a client certificate are required, whether app passwords are accepted.
 * Immutable.
 *
 * @param allowed whether the session may proceed
 * @param reason the reason code of a deny (audit log), empty when allowed
 * @param mechanisms the mechanisms allowed; empty when denied
 * @param secondFactor whether a TOTP code is required
 * @param clientCertificateRequired whether a verified client certificate is required
 * @param appPasswordsAllowed whether app passwords are accepted in place of password + code
 * @param rule the rule that decided
 * @param monitored what monitor-mode rules would have decided
 */
public record AccessDecision(
    boolean allowed,
    String reason,
    Set<Mechanism> mechanisms,
    SecondFactor secondFactor,
    boolean clientCertificateRequired,
    boolean appPasswordsAllowed,
    RuleRef rule,
    List<AccessDecision> monitored)
    implements Decision {

  public AccessDecision {
    Objects.requireNonNull(reason, "reason");
    mechanisms = Set.copyOf(mechanisms);
    Objects.requireNonNull(secondFactor, "secondFactor");
    Objects.requireNonNull(rule, "rule");
    monitored = List.copyOf(monitored);
    if (allowed && !reason.isEmpty()) {
      throw new IllegalArgumentException("an allow decision has no reason code");
    }
    if (!allowed && reason.isEmpty()) {
      throw new IllegalArgumentException("a deny decision needs a reason code");
    }
  }

  /**
   * Whether a session that authenticated with {@code mechanism} (upper-case name) may proceed;
   * false for a deny and for mechanisms not allowed.
   */
  public boolean allowsMechanism(String mechanism) {
    Mechanism m = Mechanism.byName(mechanism);
    return allowed && m != null && mechanisms.contains(m);
  }

  AccessDecision withMonitored(List<AccessDecision> monitoredDecisions) {
    return new AccessDecision(
        allowed,
        reason,
        mechanisms,
        secondFactor,
        clientCertificateRequired,
        appPasswordsAllowed,
        rule,
        monitoredDecisions);
  }
}
