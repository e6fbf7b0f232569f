package io.portcullis.auth.throttle;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Single-node {@link ThrottleStore}: a bounded Caffeine map, atomic per key. Thread-safe. */
public final class CaffeineThrottleStore implements ThrottleStore {
  private final Cache<String, ThrottleState> states;

  /**
   * @param settings decides how long idle keys are kept and how many at most
   * @param ticker time source (tests pass a fake one)
   */
  public CaffeineThrottleStore(ThrottleSettings settings, Ticker ticker) {
    Duration keep =
        settings.knownNetworkMemory().compareTo(settings.forgetAfter()) > 0
            ? settings.knownNetworkMemory()
            : settings.forgetAfter();
    this.states =
        Caffeine.newBuilder()
            // Maintenance on the calling thread: every login writes here, and handing each
            // clean-up to the common pool costs more in wake-ups than the clean-up itself.
            .executor(Runnable::run)
            .expireAfterWrite(keep)
            .maximumSize(settings.maxEntries())
            .ticker(ticker)
            .build();
  }

  @Override
  public ThrottleState update(String key, UnaryOperator<ThrottleState> update) {
    return states
        .asMap()
        .compute(
            key, (k, current) -> update.apply(current == null ? ThrottleState.EMPTY : current));
  }

  @Override
  public boolean nonBlocking() {
    return true;
  }
}
