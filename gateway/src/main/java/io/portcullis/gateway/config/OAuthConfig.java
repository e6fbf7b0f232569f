package io.portcullis.gateway.config;

import io.portcullis.auth.Secret;
import io.portcullis.auth.oauth.OAuthAccount;
import io.portcullis.auth.oauth.OAuthProvider;
import io.portcullis.auth.oauth.OAuthSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code oauth:} — the upstream OAuth2 broker (docs/oauth.md): providers, accounts, the encrypted
 * token store and its timing. Mapped onto the auth-2fa module's {@link OAuthSettings}.
 *
 * @param storeFile the encrypted token store; default {@code data-dir/oauth-tokens.json}
 * @param keyFile the master key; default {@code auth.key-file}, else {@code PORTCULLIS_KEY}
 * @param refreshMargin refresh this long before an access token expires (default 5m)
 * @param httpTimeout per request to a provider (default 10s)
 * @param refreshTimeout how long a login waits for a token (default 15s)
 * @param providers by name
 * @param accounts by name
 */
public record OAuthConfig(
    Path storeFile,
    Path keyFile,
    Duration refreshMargin,
    Duration httpTimeout,
    Duration refreshTimeout,
    Map<String, ProviderConfig> providers,
    Map<String, AccountConfig> accounts) {

  public OAuthConfig {
    providers = providers == null ? Map.of() : Map.copyOf(providers);
    accounts = accounts == null ? Map.of() : Map.copyOf(accounts);
  }

  /**
   * One provider.
   *
   * @param type {@code google}, {@code microsoft} or {@code generic}
   * @param tenant Microsoft: {@code common} (default), {@code organizations}, {@code consumers} or
   *     a tenant id
   * @param clientId the registered application's client id
   * @param clientSecretFile a file holding the client secret; absent for a public client
   * @param authorizationEndpoint generic only
   * @param tokenEndpoint generic only
   * @param deviceEndpoint generic only, optional
   * @param revocationEndpoint generic only, optional
   * @param scopes generic: required; presets: replaces the preset's scopes
   */
  public record ProviderConfig(
      String type,
      String tenant,
      String clientId,
      Path clientSecretFile,
      URI authorizationEndpoint,
      URI tokenEndpoint,
      URI deviceEndpoint,
      URI revocationEndpoint,
      List<String> scopes) {
    public ProviderConfig {
      type = type == null ? "generic" : type.toLowerCase(Locale.ROOT);
      if (!List.of("google", "microsoft", "generic").contains(type)) {
        throw new IllegalArgumentException(
            "type is '" + type + "' (expected one of: google, microsoft, generic)");
      }
      if (clientId == null || clientId.isBlank()) {
        throw new IllegalArgumentException("client-id is required");
      }
      if (type.equals("generic") && (authorizationEndpoint == null || tokenEndpoint == null)) {
        throw new IllegalArgumentException(
            "a generic provider needs authorization-endpoint and token-endpoint");
      }
      if (type.equals("generic") && (scopes == null || scopes.isEmpty())) {
        throw new IllegalArgumentException("a generic provider needs scopes");
      }
      scopes = scopes == null ? null : List.copyOf(scopes);
    }

    OAuthProvider toProvider(String name) {
      Optional<Secret> secret = Optional.ofNullable(clientSecretFile).map(OAuthConfig::readSecret);
      OAuthProvider p =
          switch (type) {
            case "google" -> OAuthProvider.google(name, clientId, secret);
            case "microsoft" ->
                OAuthProvider.microsoft(name, tenant == null ? "common" : tenant, clientId, secret);
            default ->
                new OAuthProvider(
                    name,
                    authorizationEndpoint,
                    tokenEndpoint,
                    Optional.ofNullable(deviceEndpoint),
                    Optional.ofNullable(revocationEndpoint),
                    scopes,
                    clientId,
                    secret,
                    Map.of());
          };
      if (scopes != null && !type.equals("generic")) {
        p =
            new OAuthProvider(
                p.name(),
                p.authorizationEndpoint(),
                p.tokenEndpoint(),
                p.deviceEndpoint(),
                p.revocationEndpoint(),
                scopes,
                p.clientId(),
                p.clientSecret(),
                p.authorizationParameters());
      }
      return p;
    }
  }

  /**
   * One upstream mailbox reached with a brokered token.
   *
   * @param provider the provider's name
   * @param loginUser the user name sent upstream (a shared mailbox's address)
   * @param owner whose token it is (default: {@code login-user})
   */
  public record AccountConfig(String provider, String loginUser, String owner) {
    public AccountConfig {
      if (provider == null || loginUser == null) {
        throw new IllegalArgumentException("provider and login-user are required");
      }
    }
  }

  /**
   * The auth-2fa module's settings for these keys.
   *
   * @param authKeyFile {@code auth.key-file}, used when {@code oauth.key-file} is not set
   * @throws IllegalArgumentException naming the key that is wrong
   */
  public OAuthSettings toSettings(Path dataDir, Optional<Path> authKeyFile) {
    Map<String, OAuthProvider> p = new LinkedHashMap<>();
    providers.forEach(
        (name, config) -> {
          try {
            p.put(name, config.toProvider(name));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("oauth.providers." + name + ": " + e.getMessage());
          }
        });
    Map<String, OAuthAccount> a = new LinkedHashMap<>();
    accounts.forEach(
        (name, config) -> {
          try {
            a.put(
                name,
                new OAuthAccount(name, config.provider(), config.loginUser(), config.owner()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("oauth.accounts." + name + ": " + e.getMessage());
          }
        });
    return new OAuthSettings(
        p,
        a,
        storeFile == null ? dataDir.resolve("oauth-tokens.json") : storeFile,
        Optional.ofNullable(keyFile).or(() -> authKeyFile),
        refreshMargin == null ? OAuthSettings.DEFAULT_REFRESH_MARGIN : refreshMargin,
        httpTimeout == null ? OAuthSettings.DEFAULT_HTTP_TIMEOUT : httpTimeout,
        refreshTimeout == null ? OAuthSettings.DEFAULT_REFRESH_TIMEOUT : refreshTimeout);
  }

  private static Secret readSecret(Path file) {
    try {
      return Secret.of(Files.readString(file).strip());
    } catch (IOException e) {
      throw new IllegalArgumentException("client-secret-file: cannot read " + file);
    }
  }
}
