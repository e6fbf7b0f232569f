package io.portcullis.policy;

import java.util.List;
import java.util.Objects;

/**
 * How a session's messages are scanned: which analyzers, up to which size, and what happens to
 * messages over the limit or whose scan failed (fail closed: DESIGN.md security invariants).
 * Immutable.
 *
 * @param scope which analyzers run
 * @param maxSize the largest message scanned, in octets
 * @param overLimit what happens to a larger message
 * @param onScanError what happens when the scan crashes or times out (never a silent pass unless
 *     the policy says {@code allow}, which {@code policy check} warns about)
 * @param rule the rule that decided
 * @param monitored what monitor-mode rules would have decided
 */
public record ScanDecision(
    ScanScope scope,
    long maxSize,
    OverLimitAction overLimit,
    FilterAction onScanError,
    RuleRef rule,
    List<ScanDecision> monitored)
    implements Decision {

  public ScanDecision {
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(overLimit, "overLimit");
    Objects.requireNonNull(onScanError, "onScanError");
    Objects.requireNonNull(rule, "rule");
    monitored = List.copyOf(monitored);
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must not be negative");
    }
    if (onScanError == FilterAction.STRIP) {
      throw new IllegalArgumentException(
          "strip is not an action for a message that was not parsed");
    }
  }

  /** Whether a message of {@code size} octets is scanned. */
  public boolean scans(long size) {
    return scope != ScanScope.OFF && size <= maxSize;
  }

  ScanDecision withMonitored(List<ScanDecision> monitoredDecisions) {
    return new ScanDecision(scope, maxSize, overLimit, onScanError, rule, monitoredDecisions);
  }
}
