package io.portcullis.gateway.upstream;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.portcullis.auth.oauth.OAuthBroker;
import io.portcullis.auth.oauth.OAuthException;
import java.util.Locale;

/**
 * The OAuth broker's meters: refresh requests, token failures by cause, and per account the seconds
 * until the refresh token stops working where the provider says (alert well before it reaches 0:
 * re-authorise the account). Stateless; the meters read the broker when scraped.
 */
public final class OAuthMetrics {
  private OAuthMetrics() {}

  /** Registers the broker's meters in {@code registry}. */
  public static void register(MeterRegistry registry, OAuthBroker broker) {
    FunctionCounter.builder("portcullis.oauth.refreshes", broker, OAuthBroker::refreshCount)
        .description("Refresh-token requests sent to OAuth providers")
        .register(registry);
    for (OAuthException.Kind kind : OAuthException.Kind.values()) {
      FunctionCounter.builder("portcullis.oauth.token.failures", broker, b -> b.failureCount(kind))
          .description("Logins that got no upstream access token, by cause")
          .tag("reason", kind.code())
          .register(registry);
    }
    for (String account : broker.settings().accounts().keySet()) {
      Gauge.builder(
              "portcullis.oauth.refresh.token.expiry",
              broker,
              b -> b.refreshTokenSecondsLeft(account).map(Long::doubleValue).orElse(Double.NaN))
          .description(
              "Seconds until the account's refresh token expires, where the provider says (NaN:"
                  + " it does not)")
          .baseUnit("seconds")
          .tag("account", account.toLowerCase(Locale.ROOT))
          .register(registry);
    }
  }
}
