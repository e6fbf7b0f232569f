package io.portcullis.auth.throttle;

import java.time.Instant;

/**
 * The counters kept for one throttle key (a source network, a user on a network, or an account).
 *
 * @param failures consecutive failures not yet forgotten
 * @param inFlight verifications admitted and not yet reported
 * @param notBefore no new verification is admitted before this instant
 * @param blockedUntil blocked (no verification at all) until this instant
 * @param lastFailure time of the last failure, for forgetting
 * @param lastSuccess time of the last success, for "known network"
 * @param lastAdmit time of the last admission, to forget in-flight counts that were never reported
 */
public record ThrottleState(
    int failures,
    int inFlight,
    Instant notBefore,
    Instant blockedUntil,
    Instant lastFailure,
    Instant lastSuccess,
    Instant lastAdmit) {
  /** A key never seen. */
  public static final ThrottleState EMPTY =
      new ThrottleState(
          0, 0, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH, Instant.EPOCH);

  ThrottleState with(
      int failures,
      int inFlight,
      Instant notBefore,
      Instant blockedUntil,
      Instant lastFailure,
      Instant lastSuccess,
      Instant lastAdmit) {
    return new ThrottleState(
        failures, inFlight, notBefore, blockedUntil, lastFailure, lastSuccess, lastAdmit);
  }
}
