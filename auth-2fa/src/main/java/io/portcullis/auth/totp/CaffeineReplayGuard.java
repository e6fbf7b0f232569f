package io.portcullis.auth.totp;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.Objects;

/**
 * Single-node {@link ReplayGuard}: an in-memory set of (user, step) that forgets entries once the
 * step can no longer be accepted. Atomic through {@code ConcurrentMap.putIfAbsent}. Thread-safe.
 */
public final class CaffeineReplayGuard implements ReplayGuard {
  private static final long MAX_PERIOD_SECONDS = 120;

  private final Cache<String, Boolean> used;

  /**
   * @param parameters the TOTP settings, which decide how long a step stays acceptable
   * @param ticker time source (tests pass a fake one)
   */
  public CaffeineReplayGuard(TotpParameters parameters, Ticker ticker) {
    Objects.requireNonNull(parameters, "parameters");
    // A step is acceptable for (2 x window + 1) periods, plus one for skew. Enrolments may use a
    // longer period than the global one, so size the memory for the longest period allowed.
    Duration retention = Duration.ofSeconds(MAX_PERIOD_SECONDS * (2L * parameters.window() + 2));
    this.used =
        Caffeine.newBuilder()
            // Maintenance on the calling thread: every login writes here, and handing each
            // clean-up to the common pool costs more in wake-ups than the clean-up itself.
            .executor(Runnable::run)
            .expireAfterWrite(retention)
            .ticker(Objects.requireNonNull(ticker, "ticker"))
            .build();
  }

  @Override
  public boolean tryConsume(String user, long step) {
    // NUL cannot occur in a user name (SASL and the directory refuse control characters).
    return used.asMap().putIfAbsent(user + '\0' + step, Boolean.TRUE) == null;
  }
}
