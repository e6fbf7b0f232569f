package io.portcullis.gateway.imap.scan;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Scheduler;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Optional;

/**
 * Side connections kept logged in for a while after their session ended, one per account and
 * upstream login, so that the account's next session scans without a second upstream login (which
 * costs the upstream a login and an index open, and the client several round trips before its
 * SELECT is answered). A connection is only ever handed to a session of the same account that has
 * itself just logged in upstream as the same user, so it grants nothing that session does not have.
 * Idle connections are logged out after {@link #IDLE}. The pool also remembers, per account and
 * mailbox, what the account's scans established ({@link ArrivalScanner.Settled}), so that a later
 * session's SELECT can go upstream at once and be checked by its answer, with or without a kept
 * connection. Thread-safe.
 */
public final class SideConnectionPool implements AutoCloseable {
  /**
   * How long a side connection waits for the account's next session: long enough for clients that
   * reconnect for every check, far below an upstream's 30-minute autologout (RFC 9051 §5.4).
   */
  public static final Duration IDLE = Duration.ofMinutes(2);

  /** Idle side connections kept at most, whatever the number of accounts. */
  private static final int MAX_IDLE = 10_000;

  /**
   * Mailboxes whose settled state is remembered (about 150 bytes each). Forgetting one only costs
   * its next SELECT the scan before it.
   */
  private static final int MAX_SETTLED = 100_000;

  /** Whose connection it is: the gateway account, the upstream and the upstream login name. */
  record Key(String account, String upstream, String login) {}

  /** A logged-in side connection and what was learnt on it. */
  record Idle(SideConnection side, UpstreamMailboxes boxes, String junk) {}

  private final Cache<Key, Idle> idle;

  /** Per account and mailbox (as the client names it); true forever once true (marks only grow). */
  private final Cache<SettledKey, ArrivalScanner.Settled> settled =
      Caffeine.newBuilder()
          .maximumSize(MAX_SETTLED)
          .expireAfterAccess(Duration.ofDays(1))
          .executor(Runnable::run)
          .build();

  private record SettledKey(String account, String mailbox) {}

  private volatile boolean closed;

  public SideConnectionPool() {
    this(IDLE, Ticker.systemTicker(), Scheduler.systemScheduler());
  }

  SideConnectionPool(Duration idleFor, Ticker ticker, Scheduler scheduler) {
    this.idle =
        Caffeine.newBuilder()
            .expireAfterWrite(idleFor)
            .ticker(ticker)
            .maximumSize(MAX_IDLE)
            .scheduler(scheduler)
            .<Key, Idle>removalListener(
                (key, value, cause) -> {
                  // Taken by a session (EXPLICIT): that session owns it now.
                  if (value != null && cause != RemovalCause.EXPLICIT) {
                    value.side().close();
                  }
                })
            .build();
  }

  /** The idle connection for {@code key}, now the caller's; empty when none is kept. */
  Optional<Idle> take(Key key) {
    return Optional.ofNullable(idle.asMap().remove(key));
  }

  /** Keeps {@code connection} for the next session of its account, or logs it out. */
  void give(Key key, Idle connection) {
    if (closed
        || !connection.side().isOpen()
        || idle.asMap().putIfAbsent(key, connection) != null) {
      connection.side().close(); // a second session's connection: one per account is enough
    }
  }

  /** What the scans of {@code account}'s {@code mailbox} established. */
  Optional<ArrivalScanner.Settled> settled(String account, String mailbox) {
    return Optional.ofNullable(settled.getIfPresent(new SettledKey(account, mailbox)));
  }

  /**
   * Remembers {@code state}, the latest scan's: every state a scan established is true, and only
   * the latest one also matches a mailbox the server re-created under its old UIDVALIDITY (two
   * sessions' scans racing cost at most a scan). The scanner calls it after each scan; only what a
   * scan established may be given.
   */
  public void settle(String account, String mailbox, ArrivalScanner.Settled state) {
    settled.put(new SettledKey(account, mailbox), state);
  }

  /** Connections kept now (tests, metrics). */
  long size() {
    idle.cleanUp();
    return idle.estimatedSize();
  }

  /** Logs every kept connection out (gateway shutdown). */
  @Override
  public void close() {
    closed = true;
    for (Key key : java.util.List.copyOf(idle.asMap().keySet())) {
      take(key).ifPresent(kept -> kept.side().close());
    }
  }
}
