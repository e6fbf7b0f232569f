package io.portcullis.auth.throttle;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Decides whether a login attempt may be verified and how long its failure answer is delayed, from
 * counters per source network, per (user, source network) and per account (THREATS A6). An attempt
 * is reserved before its credentials are verified, so parallel attempts from one source cannot
 * bypass the delay. Nothing sleeps: delays are returned for the gateway to schedule. Thread-safe.
 */
public final class Throttle {
  /** The answer to {@link #admit}. */
  public sealed interface Admission {
    /** Verify the credentials, then report the outcome with the ticket. */
    record Admitted(Ticket ticket) implements Admission {}

    /**
     * Do not verify; answer with the uniform failure after {@code delay}.
     *
     * @param reason audit reason code: {@code throttled} or {@code blocked}
     */
    record Refused(Duration delay, String reason) implements Admission {}
  }

  /** One admitted attempt; report it exactly once with {@link #failed} or {@link #succeeded}. */
  public static final class Ticket {
    private final String sourceKey;
    private final String userKey;
    private final String accountKey;
    private boolean reported;

    private Ticket(String sourceKey, String userKey, String accountKey) {
      this.sourceKey = sourceKey;
      this.userKey = userKey;
      this.accountKey = accountKey;
    }

    private synchronized boolean report() {
      boolean first = !reported;
      reported = true;
      return first;
    }
  }

  private final ThrottleSettings settings;
  private final ThrottleStore store;
  private final Clock clock;

  public Throttle(ThrottleSettings settings, ThrottleStore store, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.store = Objects.requireNonNull(store, "store");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Reserves a verification for {@code user} from {@code source}, or refuses it. */
  public Admission admit(InetAddress source, String user) {
    Instant now = clock.instant();
    String network = SourceNetwork.of(source, settings.ipv4Prefix(), settings.ipv6Prefix());
    String sourceKey = "src\0" + network;
    String userKey = "usr\0" + user + "\0" + network;
    String accountKey = "acct\0" + user;

    Duration[] refusal = {null};
    String[] reason = {""};
    store.update(
        sourceKey,
        s -> {
          ThrottleState state = forget(s, now);
          int allowed = state.failures() == 0 ? settings.parallelAttempts() : 1;
          Duration wait = refusal(state, now, allowed);
          refusal[0] = wait;
          reason[0] = state.blockedUntil().isAfter(now) ? "blocked" : "throttled";
          return wait == null ? admitted(state, now) : state;
        });
    if (refusal[0] != null) {
      return new Admission.Refused(refusal[0], reason[0]);
    }

    ThrottleState userState =
        store.update(
            userKey,
            s -> {
              ThrottleState state = forget(s, now);
              Duration wait = refusal(state, now, settings.parallelAttempts());
              refusal[0] = wait;
              reason[0] = state.blockedUntil().isAfter(now) ? "blocked" : "throttled";
              return wait == null ? admitted(state, now) : state;
            });
    if (refusal[0] != null) {
      release(sourceKey, now);
      return new Admission.Refused(refusal[0], reason[0]);
    }

    // The account-wide block applies only to networks this user has not logged in from lately, so
    // an attacker elsewhere cannot lock the user out of their usual networks (NIST SP 800-63B).
    boolean knownNetwork =
        userState.lastSuccess().plus(settings.knownNetworkMemory()).isAfter(now)
            && !userState.lastSuccess().equals(Instant.EPOCH);
    ThrottleState account = store.update(accountKey, s -> forget(s, now));
    if (!knownNetwork && account.blockedUntil().isAfter(now)) {
      release(sourceKey, now);
      release(userKey, now);
      return new Admission.Refused(delayFor(account.blockedUntil(), now), "blocked");
    }
    return new Admission.Admitted(new Ticket(sourceKey, userKey, accountKey));
  }

  /**
   * Records a failed verification.
   *
   * @return how long to wait before sending the failure answer
   */
  public Duration failed(Ticket ticket) {
    if (!ticket.report()) {
      return Duration.ZERO;
    }
    Instant now = clock.instant();
    ThrottleState source =
        store.update(
            ticket.sourceKey,
            s -> failure(s, now, settings.sourceBlockThreshold(), settings.sourceBlockDuration()));
    ThrottleState user =
        store.update(
            ticket.userKey,
            s ->
                failure(
                    s,
                    now,
                    settings.userNetworkBlockThreshold(),
                    settings.userNetworkBlockDuration()));
    store.update(
        ticket.accountKey,
        s -> {
          ThrottleState state = forget(s, now);
          int failures = state.failures() + 1;
          Instant blocked =
              failures >= settings.accountFailureLimit()
                  ? now.plus(settings.accountBlockDuration())
                  : state.blockedUntil();
          return state.with(
              failures, 0, state.notBefore(), blocked, now, state.lastSuccess(), state.lastAdmit());
        });
    Duration delay = settings.delayAfter(Math.max(source.failures(), user.failures()));
    return delay;
  }

  /** Records a successful verification: the user's counters on this network and account reset. */
  public void succeeded(Ticket ticket) {
    if (!ticket.report()) {
      return;
    }
    Instant now = clock.instant();
    // A shared NAT recovers as soon as someone logs in; the attacker's failures against other users
    // still count in their (user, network) and account keys.
    store.update(ticket.sourceKey, s -> success(s, now));
    store.update(ticket.userKey, s -> success(s, now));
    store.update(ticket.accountKey, s -> success(s, now));
  }

  /**
   * Releases an admitted attempt that was never verified (the hasher was busy, the client left):
   * neither a success nor a failure.
   */
  public void abandon(Ticket ticket) {
    if (!ticket.report()) {
      return;
    }
    Instant now = clock.instant();
    release(ticket.sourceKey, now);
    release(ticket.userKey, now);
  }

  /**
   * Records a failure decided elsewhere (the upstream refused a passed-through login).
   *
   * @return how long to wait before sending the failure answer
   */
  public Duration recordFailure(InetAddress source, String user) {
    return failed(ticketFor(source, user));
  }

  private Ticket ticketFor(InetAddress source, String user) {
    String network = SourceNetwork.of(source, settings.ipv4Prefix(), settings.ipv6Prefix());
    return new Ticket("src\0" + network, "usr\0" + user + "\0" + network, "acct\0" + user);
  }

  /** Records a success decided elsewhere (the upstream accepted a passed-through login). */
  public void recordSuccess(InetAddress source, String user) {
    succeeded(ticketFor(source, user));
  }

  private Duration refusal(ThrottleState state, Instant now, int allowedInFlight) {
    if (state.blockedUntil().isAfter(now)) {
      return delayFor(state.blockedUntil(), now);
    }
    if (state.notBefore().isAfter(now)) {
      return delayFor(state.notBefore(), now);
    }
    if (state.inFlight() >= allowedInFlight) {
      // Someone from here is being verified; answer after the delay the next failure would bring.
      return settings.delayAfter(Math.max(1, state.failures()));
    }
    return null;
  }

  private Duration delayFor(Instant until, Instant now) {
    Duration wait = Duration.between(now, until);
    return wait.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : wait;
  }

  private static ThrottleState admitted(ThrottleState s, Instant now) {
    return s.with(
        s.failures(),
        s.inFlight() + 1,
        s.notBefore(),
        s.blockedUntil(),
        s.lastFailure(),
        s.lastSuccess(),
        now);
  }

  private void release(String key, Instant now) {
    store.update(
        key,
        s ->
            s.with(
                s.failures(),
                Math.max(0, s.inFlight() - 1),
                s.notBefore(),
                s.blockedUntil(),
                s.lastFailure(),
                s.lastSuccess(),
                s.lastAdmit()));
  }

  private ThrottleState failure(ThrottleState s, Instant now, int threshold, Duration block) {
    ThrottleState state = forget(s, now);
    int failures = state.failures() + 1;
    Instant blocked = failures >= threshold ? now.plus(block) : state.blockedUntil();
    return state.with(
        failures,
        Math.max(0, state.inFlight() - 1),
        now.plus(settings.delayAfter(failures)),
        blocked,
        now,
        state.lastSuccess(),
        state.lastAdmit());
  }

  private static ThrottleState success(ThrottleState s, Instant now) {
    return s.with(
        0,
        Math.max(0, s.inFlight() - 1),
        now,
        s.blockedUntil(),
        s.lastFailure(),
        now,
        s.lastAdmit());
  }

  /** Forgets failures after {@code forgetAfter} and in-flight counts that were never reported. */
  private ThrottleState forget(ThrottleState s, Instant now) {
    int failures = s.lastFailure().plus(settings.forgetAfter()).isBefore(now) ? 0 : s.failures();
    // A verification takes well under a minute; an older in-flight count is a lost report.
    int inFlight = s.lastAdmit().plus(Duration.ofMinutes(2)).isBefore(now) ? 0 : s.inFlight();
    if (failures == s.failures() && inFlight == s.inFlight()) {
      return s;
    }
    return s.with(
        failures,
        inFlight,
        s.notBefore(),
        s.blockedUntil(),
        s.lastFailure(),
        s.lastSuccess(),
        s.lastAdmit());
  }

  /** Whether admission and recording never block (the store is in memory). */
  public boolean nonBlocking() {
    return store.nonBlocking();
  }
}
