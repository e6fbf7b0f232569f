package io.portcullis.policy;

import java.util.List;
import java.util.Objects;

/**
 * Which upstream a session is relayed to and how the gateway logs in there. The upstream name
 * refers to an upstream defined in the gateway configuration. Immutable.
 *
 * @param upstream the upstream name
 * @param credentials how the gateway authenticates to it
 * @param rule the rule that decided
 * @param monitored what monitor-mode rules would have decided
 */
public record RoutingDecision(
    String upstream, CredentialMode credentials, RuleRef rule, List<RoutingDecision> monitored)
    implements Decision {

  public RoutingDecision {
    Objects.requireNonNull(upstream, "upstream");
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(rule, "rule");
    monitored = List.copyOf(monitored);
  }

  RoutingDecision withMonitored(List<RoutingDecision> monitoredDecisions) {
    return new RoutingDecision(upstream, credentials, rule, monitoredDecisions);
  }
}
