package io.portcullis.policy;

import java.util.List;

/**
 * A policy decision: what to do, which rule decided it, and what monitor-mode rules would have
 * done.
 */
public sealed interface Decision
    permits AccessDecision, RoutingDecision, ScanDecision, FilterDecision {

  /** The enforcing rule (or section default) that made this decision. */
  RuleRef rule();

  /**
   * Decisions that monitor-mode rules matched before the enforcing one would have made, in
   * evaluation order; the gateway logs them and applies nothing of them. Empty in most cases.
   */
  List<? extends Decision> monitored();
}
