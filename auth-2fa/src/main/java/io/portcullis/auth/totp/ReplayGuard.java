package io.portcullis.auth.totp;

/**
 * Remembers which (user, time step) codes were accepted, so that each is accepted at most once (RFC
 * 6238 §5.2). Implementations must make {@link #tryConsume} atomic across every node that verifies
 * codes: two parallel logins with one code must see exactly one {@code true}.
 */
public interface ReplayGuard {
  /**
   * Marks the code of {@code user} for {@code step} as used.
   *
   * @return true if it was not used before (the login may proceed), false if this is a replay
   */
  boolean tryConsume(String user, long step);
}
