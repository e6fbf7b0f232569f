package io.portcullis.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Evaluates a {@link Policy}: in each section the rules are tried in file order and the first
 * enforcing rule that matches decides; monitor-mode rules that match before it are reported in
 * {@link Decision#monitored()} and change nothing; when no enforcing rule matches, the section
 * default decides. Decisions are built at load time and returned as they are, so an evaluation with
 * no monitor-mode match allocates nothing but the copy of the source address. Immutable and
 * thread-safe.
 */
public final class PolicyEngine {

  private final Policy policy;
  private final Section<AccessDecision> access;
  private final Section<RoutingDecision> routing;
  private final Section<ScanDecision> scanning;
  private final Section<FilterDecision> filtering;
  private final boolean[] filterNamesScanError;
  // Indexed like scanning rules, the default last: the message decision each scan plan implies.
  private final FilterDecision[] overLimit;
  private final FilterDecision[] scanError;

  /** Builds the engine for {@code policy}; cheap, the policy is already compiled. */
  public PolicyEngine(Policy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    access = new Section<>(policy.access, policy.accessDefault);
    routing = new Section<>(policy.routing, policy.routingDefault);
    scanning = new Section<>(policy.scanning, policy.scanDefault);
    filtering = new Section<>(policy.filtering, policy.filterDefault);
    filterNamesScanError = new boolean[filtering.rules.length];
    for (int i = 0; i < filtering.rules.length; i++) {
      filterNamesScanError[i] = filtering.rules[i].match().namesLabel(PolicyCompiler.SCAN_ERROR);
    }
    int n = scanning.rules.length;
    overLimit = new FilterDecision[n + 1];
    scanError = new FilterDecision[n + 1];
    for (int i = 0; i <= n; i++) {
      ScanDecision plan = i < n ? scanning.rules[i].decision() : scanning.fallback;
      overLimit[i] = overLimitDecision(plan);
      scanError[i] = scanErrorDecision(plan);
    }
  }

  /** The policy this engine evaluates. */
  public Policy policy() {
    return policy;
  }

  /**
   * Decides whether an authenticated session may proceed and on which terms (mechanisms, second
   * factor, client certificate, app passwords).
   */
  public AccessDecision decideAccess(SessionFacts s) {
    byte[] address = access.needsAddress ? s.source().getAddress() : null;
    int mechanism = mechanism(s);
    int k = access.first(s, address, mechanism, null, null);
    AccessDecision d = access.decision(k);
    return access.hasMonitors
        ? withMonitors(
            d,
            access.monitorsBefore(k, s, address, mechanism, null, null),
            AccessDecision::withMonitored)
        : d;
  }

  /** Decides which upstream the session is relayed to and how the gateway logs in there. */
  public RoutingDecision route(SessionFacts s) {
    byte[] address = routing.needsAddress ? s.source().getAddress() : null;
    int mechanism = mechanism(s);
    int k = routing.first(s, address, mechanism, null, null);
    RoutingDecision d = routing.decision(k);
    return routing.hasMonitors
        ? withMonitors(
            d,
            routing.monitorsBefore(k, s, address, mechanism, null, null),
            RoutingDecision::withMonitored)
        : d;
  }

  /** Decides how the session's messages are scanned. */
  public ScanDecision scanPlan(SessionFacts s) {
    byte[] address = scanning.needsAddress ? s.source().getAddress() : null;
    int mechanism = mechanism(s);
    int k = scanning.first(s, address, mechanism, null, null);
    ScanDecision d = scanning.decision(k);
    return scanning.hasMonitors
        ? withMonitors(
            d,
            scanning.monitorsBefore(k, s, address, mechanism, null, null),
            ScanDecision::withMonitored)
        : d;
  }

  /**
   * Decides what happens to one message of the session. In order: a message whose scan failed
   * ({@code scan-error}) is decided only by filtering rules that name {@code scan-error}, else by
   * the scan plan's {@code on-scan-error}; a message over the scan plan's limit gets its {@code
   * over-limit} action; otherwise the filtering rules decide.
   */
  public FilterDecision decideMessage(SessionFacts s, MessageFacts m) {
    byte[] address =
        filtering.needsAddress || scanning.needsAddress ? s.source().getAddress() : null;
    int mechanism = mechanism(s);
    if (m.labels().contains(PolicyCompiler.SCAN_ERROR)) {
      int k = filtering.first(s, address, mechanism, m, filterNamesScanError);
      FilterDecision d;
      List<FilterDecision> monitors;
      if (k < filtering.rules.length) {
        d = filtering.decision(k);
        monitors = filtering.monitorsBefore(k, s, address, mechanism, m, filterNamesScanError);
      } else {
        monitors = filtering.monitorsBefore(k, s, address, mechanism, m, filterNamesScanError);
        int plan = scanning.first(s, address, mechanism, null, null);
        d = scanError[plan];
        monitors =
            append(monitors, scanning.monitorIndexes(plan, s, address, mechanism), scanError);
      }
      return withMonitors(d, monitors, FilterDecision::withMonitored);
    }
    int plan = scanning.first(s, address, mechanism, null, null);
    ScanDecision p = scanning.decision(plan);
    if (p.scope() != ScanScope.OFF && m.size() > p.maxSize()) {
      List<FilterDecision> monitors =
          append(null, scanning.monitorIndexes(plan, s, address, mechanism), overLimit);
      return withMonitors(overLimit[plan], monitors, FilterDecision::withMonitored);
    }
    int k = filtering.first(s, address, mechanism, m, null);
    FilterDecision d = filtering.decision(k);
    return filtering.hasMonitors
        ? withMonitors(
            d,
            filtering.monitorsBefore(k, s, address, mechanism, m, null),
            FilterDecision::withMonitored)
        : d;
  }

  private static int mechanism(SessionFacts s) {
    Mechanism m = Mechanism.byName(s.mechanism());
    return m == null ? -1 : m.ordinal();
  }

  private static <D extends Decision> D withMonitors(
      D d, List<D> monitors, java.util.function.BiFunction<D, List<D>, D> with) {
    return monitors == null || monitors.isEmpty() ? d : with.apply(d, monitors);
  }

  private static List<FilterDecision> append(
      List<FilterDecision> to, int[] indexes, FilterDecision[] byPlan) {
    if (indexes.length == 0) {
      return to;
    }
    List<FilterDecision> out = to == null ? new ArrayList<>() : new ArrayList<>(to);
    for (int i : indexes) {
      out.add(byPlan[i]);
    }
    return out;
  }

  private static FilterDecision overLimitDecision(ScanDecision plan) {
    RuleRef ref = plan.rule();
    return switch (plan.overLimit()) {
      case PASS_UNSCANNED -> plain(FilterAction.ALLOW, ref);
      case TAG ->
          new FilterDecision(
              FilterAction.TAG, Optional.of(Tag.UNSCANNED), Set.of(), Set.of(), ref, List.of());
      case QUARANTINE -> plain(FilterAction.QUARANTINE, ref);
    };
  }

  private static FilterDecision scanErrorDecision(ScanDecision plan) {
    RuleRef ref = plan.rule();
    return plan.onScanError() == FilterAction.TAG
        ? new FilterDecision(
            FilterAction.TAG, Optional.of(Tag.SCAN_ERROR), Set.of(), Set.of(), ref, List.of())
        : plain(plan.onScanError(), ref);
  }

  private static FilterDecision plain(FilterAction action, RuleRef ref) {
    return new FilterDecision(action, Optional.empty(), Set.of(), Set.of(), ref, List.of());
  }

  /** One section's rules as arrays, so that evaluation does not create iterators. */
  private static final class Section<D extends Decision> {
    private static final int[] NO_INDEXES = new int[0];
    final Rule<D>[] rules;
    final D fallback;
    final boolean needsAddress;
    final boolean hasMonitors;

    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
    Section(List<Rule<D>> list, D fallback) {
      this.rules = list.toArray(new Rule[0]);
      this.fallback = fallback;
      this.needsAddress = list.stream().anyMatch(r -> r.match().needsAddress());
      this.hasMonitors = list.stream().anyMatch(Rule::monitor);
    }

    D decision(int k) {
      return k < rules.length ? rules[k].decision() : fallback;
    }

    /** The index of the first enforcing rule that matches, or {@code rules.length}. */
    int first(SessionFacts s, byte[] address, int mechanism, MessageFacts m, boolean[] only) {
      for (int i = 0; i < rules.length; i++) {
        Rule<D> r = rules[i];
        if (!r.monitor()
            && (only == null || only[i])
            && r.match().matches(s, address, mechanism, m)) {
          return i;
        }
      }
      return rules.length;
    }

    /** Decisions of the monitor-mode rules before index {@code k} that match; null if none. */
    List<D> monitorsBefore(
        int k, SessionFacts s, byte[] address, int mechanism, MessageFacts m, boolean[] only) {
      List<D> out = null;
      for (int i = 0; i < k; i++) {
        Rule<D> r = rules[i];
        if (r.monitor()
            && (only == null || only[i])
            && r.match().matches(s, address, mechanism, m)) {
          if (out == null) {
            out = new ArrayList<>(2);
          }
          out.add(r.decision());
        }
      }
      return out;
    }

    int[] monitorIndexes(int k, SessionFacts s, byte[] address, int mechanism) {
      if (!hasMonitors) {
        return NO_INDEXES;
      }
      return java.util.stream.IntStream.range(0, k)
          .filter(i -> rules[i].monitor() && rules[i].match().matches(s, address, mechanism, null))
          .toArray();
    }
  }
}
