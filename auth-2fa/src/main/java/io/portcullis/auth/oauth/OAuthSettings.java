package io.portcullis.auth.oauth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The broker's configuration ({@code oauth:} in portcullis.yml), validated when built. Immutable.
 *
 * @param providers by name
 * @param accounts by name; each names a provider in {@code providers}
 * @param storeFile the encrypted token store
 * @param keyFile the master key file; empty means the {@code PORTCULLIS_KEY} environment variable
 * @param refreshMargin an access token is refreshed this long before it expires
 * @param httpTimeout connect and read timeout of each request to a provider
 * @param refreshTimeout how long a login waits for a token before it fails as temporary
 */
public record OAuthSettings(
    Map<String, OAuthProvider> providers,
    Map<String, OAuthAccount> accounts,
    Path storeFile,
    Optional<Path> keyFile,
    Duration refreshMargin,
    Duration httpTimeout,
    Duration refreshTimeout) {

  public static final Duration DEFAULT_REFRESH_MARGIN = Duration.ofMinutes(5);
  public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REFRESH_TIMEOUT = Duration.ofSeconds(15);

  /**
   * @throws IllegalArgumentException if an account names an unknown provider or a duration is out
   *     of range
   */
  public OAuthSettings {
    providers = Map.copyOf(providers);
    accounts = Map.copyOf(accounts);
    Objects.requireNonNull(storeFile, "storeFile");
    Objects.requireNonNull(keyFile, "keyFile");
    for (OAuthAccount a : accounts.values()) {
      if (!providers.containsKey(a.provider())) {
        throw new IllegalArgumentException(
            "oauth account " + a.name() + ": unknown provider '" + a.provider() + "'");
      }
    }
    if (refreshMargin.isNegative() || refreshMargin.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException("oauth refresh-margin must be between 0 and 1h");
    }
    if (httpTimeout.isNegative()
        || httpTimeout.isZero()
        || refreshTimeout.isNegative()
        || refreshTimeout.isZero()) {
      throw new IllegalArgumentException("oauth timeouts must be positive");
    }
  }

  /** The account named {@code name}. */
  public Optional<OAuthAccount> account(String name) {
    return Optional.ofNullable(accounts.get(name));
  }

  /** The provider of {@code account}. */
  public OAuthProvider provider(OAuthAccount account) {
    return providers.get(account.provider());
  }
}
