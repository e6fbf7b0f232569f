package io.portcullis.auth.throttle;

import java.util.function.UnaryOperator;

/**
 * Shared storage for throttle counters. One node uses {@link CaffeineThrottleStore}; several nodes
 * use a shared implementation (Redis: WATCH/MULTI or a Lua script) so an attacker cannot spread
 * attempts over nodes. Implementations must be thread-safe.
 */
public interface ThrottleStore {
  /**
   * Atomically replaces the state under {@code key} by {@code update(current)}, where an absent key
   * reads as {@link ThrottleState#EMPTY}; {@code update} may run more than once and must be pure.
   *
   * @return the new state
   */
  ThrottleState update(String key, UnaryOperator<ThrottleState> update);

  /**
   * Whether {@link #update} never blocks (an in-memory store), so that a caller on an event loop
   * may use it directly; a store over the network answers false.
   */
  default boolean nonBlocking() {
    return false;
  }
}
