package io.portcullis.auth.oauth;

import com.google.api.client.auth.oauth2.ClientParametersAuthentication;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.http.HttpRequestInitializer;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.json.JsonFactory;
import com.google.api.client.json.gson.GsonFactory;
import io.portcullis.auth.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What every request to a provider shares: the transport, JSON, timeouts, client authentication
 * (RFC 6749 §2.3.1, in the body; none for a public client) and the clock. Thread-safe.
 */
final class ProviderHttp {
  static final JsonFactory JSON = GsonFactory.getDefaultInstance();

  /** Refresh tokens that expire sooner than this are warned about (issue 6). */
  static final Duration REFRESH_TOKEN_WARNING = Duration.ofDays(7);

  private final HttpTransport transport;
  private final Duration timeout;
  private final Clock clock;

  ProviderHttp(HttpTransport transport, Duration timeout, Clock clock) {
    this.transport = transport;
    this.timeout = timeout;
    this.clock = clock;
  }

  HttpTransport transport() {
    return transport;
  }

  Clock clock() {
    return clock;
  }

  com.google.api.client.util.Clock googleClock() {
    return clock::millis;
  }

  HttpRequestInitializer timeouts() {
    int millis = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    return request -> {
      request.setConnectTimeout(millis);
      request.setReadTimeout(millis);
      // A token request is not idempotent (a refresh may rotate the token): never retried here.
      request.setNumberOfRetries(0);
    };
  }

  static ClientParametersAuthentication clientAuthentication(OAuthProvider provider) {
    return new ClientParametersAuthentication(
        provider.clientId(), provider.clientSecret().map(Secret::reveal).orElse(null));
  }

  /** {@code refresh_token_expires_in} (Microsoft, Google test-mode apps), as an instant. */
  Optional<Instant> refreshTokenExpiry(TokenResponse response) {
    Object value = response.get("refresh_token_expires_in");
    long seconds;
    if (value instanceof Number n) {
      seconds = n.longValue();
    } else if (value instanceof String s && s.matches("\\d{1,12}")) {
      seconds = Long.parseLong(s);
    } else {
      return Optional.empty();
    }
    return Optional.of(clock.instant().plusSeconds(seconds));
  }
}
