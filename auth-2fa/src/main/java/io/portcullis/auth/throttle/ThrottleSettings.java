package io.portcullis.auth.throttle;

import java.time.Duration;
import java.util.Objects;

/**
 * Brute-force throttling limits (THREATS A6; Dovecot's auth penalty; NIST SP 800-63B §5.2.2).
 *
 * @param initialDelay delay after the first failure; doubles per failure (2, 4, 8 s ...)
 * @param maxDelay cap of the growing delay (15 s)
 * @param parallelAttempts verifications one source may have in flight while it has no failures
 * @param sourceBlockThreshold failures from one source network before it is blocked
 * @param sourceBlockDuration how long that block lasts
 * @param userNetworkBlockThreshold failures for one user from one network before that pair is
 *     blocked
 * @param userNetworkBlockDuration how long that block lasts
 * @param accountFailureLimit consecutive failures for an account, from anywhere, before the account
 *     is blocked for networks it has not logged in from (NIST: at most 100)
 * @param accountBlockDuration how long that block lasts
 * @param forgetAfter failures older than this are forgotten
 * @param knownNetworkMemory how long a network stays "known" for a user after a successful login
 * @param ipv4Prefix IPv4 addresses are grouped by this prefix (32: each address alone)
 * @param ipv6Prefix IPv6 addresses are grouped by this prefix (64: one customer's LAN)
 * @param maxEntries bound on tracked keys, so an address-spraying attacker cannot exhaust the heap
 */
public record ThrottleSettings(
    Duration initialDelay,
    Duration maxDelay,
    int parallelAttempts,
    int sourceBlockThreshold,
    Duration sourceBlockDuration,
    int userNetworkBlockThreshold,
    Duration userNetworkBlockDuration,
    int accountFailureLimit,
    Duration accountBlockDuration,
    Duration forgetAfter,
    Duration knownNetworkMemory,
    int ipv4Prefix,
    int ipv6Prefix,
    long maxEntries) {

  /** 2 → 4 → 8 → 15 s; 30 failures block a source network for 15 min; 10 block a user there. */
  public static final ThrottleSettings DEFAULT =
      new ThrottleSettings(
          Duration.ofSeconds(2),
          Duration.ofSeconds(15),
          8,
          30,
          Duration.ofMinutes(15),
          10,
          Duration.ofMinutes(15),
          100,
          Duration.ofHours(1),
          Duration.ofHours(1),
          Duration.ofDays(30),
          32,
          64,
          1_000_000);

  /**
   * @throws IllegalArgumentException if a value is out of range
   */
  public ThrottleSettings {
    for (Duration d :
        new Duration[] {
          initialDelay,
          maxDelay,
          sourceBlockDuration,
          userNetworkBlockDuration,
          accountBlockDuration,
          forgetAfter,
          knownNetworkMemory
        }) {
      Objects.requireNonNull(d, "durations must not be null");
      if (d.isNegative()) {
        throw new IllegalArgumentException("durations must not be negative: " + d);
      }
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay must be >= initialDelay");
    }
    if (parallelAttempts < 1 || sourceBlockThreshold < 1 || userNetworkBlockThreshold < 1) {
      throw new IllegalArgumentException("attempt counts and thresholds must be >= 1");
    }
    if (accountFailureLimit < 1 || accountFailureLimit > 100) {
      throw new IllegalArgumentException(
          "accountFailureLimit must be 1..100 (NIST SP 800-63B 5.2.2): " + accountFailureLimit);
    }
    if (ipv4Prefix < 8 || ipv4Prefix > 32 || ipv6Prefix < 32 || ipv6Prefix > 128) {
      throw new IllegalArgumentException("ipv4Prefix must be 8..32 and ipv6Prefix 32..128");
    }
    if (maxEntries < 1000) {
      throw new IllegalArgumentException("maxEntries must be >= 1000");
    }
  }

  /** The delay after {@code failures} consecutive failures: initial × 2^(n-1), capped. */
  Duration delayAfter(int failures) {
    if (failures <= 0) {
      return Duration.ZERO;
    }
    Duration delay = initialDelay.multipliedBy(1L << Math.min(failures - 1, 20));
    return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
  }
}
