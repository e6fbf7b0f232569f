package io.portcullis.gateway.filtering;

import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.ScanDecision;
import io.portcullis.policy.ScanScope;
import io.portcullis.policy.SessionFacts;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A session's filtering context, fixed at login: the upstream account its messages belong to, what
 * the policy knows of the session, and the policy to ask per message. The policy is read per
 * message, so a reload applies to messages scanned from then on (docs/policies.md). Immutable.
 *
 * @param account the upstream account, {@code route/upstream-user} in lower case; verdicts, marks
 *     and quarantine entries are kept per account
 * @param facts the session as the policy sees it; null only for {@link #OFF}
 * @param policy the current policy; null only for {@link #OFF}
 */
public record SessionFilter(String account, SessionFacts facts, Supplier<PolicyEngine> policy) {

  /** No filtering: the session is relayed unchanged. */
  public static final SessionFilter OFF = new SessionFilter("", null, null);

  public SessionFilter {
    Objects.requireNonNull(account, "account");
    if ((facts == null) != (policy == null)) {
      throw new IllegalArgumentException("facts and policy are given together");
    }
  }

  /** The upstream account key for a route and an upstream user name. */
  public static String account(String route, String upstreamUser) {
    return (route + "/" + upstreamUser).toLowerCase(java.util.Locale.ROOT);
  }

  /** The scan plan for this session under the current policy. */
  public ScanDecision plan() {
    return policy == null ? null : policy.get().scanPlan(facts);
  }

  /** Whether the session's messages are scanned at all. */
  public boolean enabled() {
    return policy != null && plan().scope() != ScanScope.OFF;
  }

  @Override
  public String toString() {
    return policy == null ? "SessionFilter[off]" : "SessionFilter[" + account + "]";
  }
}
