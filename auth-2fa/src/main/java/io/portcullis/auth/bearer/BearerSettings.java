package io.portcullis.auth.bearer;

import io.portcullis.auth.Secret;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How client bearer tokens are validated (RFC 9068 JWT access tokens, RFC 7662 introspection).
 *
 * @param jwksUri where the issuer publishes its signing keys (https, or http on loopback only)
 * @param issuer required {@code iss}, compared exactly
 * @param audiences accepted {@code aud} values; the token must carry at least one
 * @param requiredScopes scopes that must all be granted ({@code scope} string or {@code scp} list)
 * @param algorithms allowed JWS algorithms; public-key ones only (never {@code none} or HMAC)
 * @param userClaim the claim that names the user ({@code preferred_username}, {@code email}, {@code
 *     sub}, {@code upn})
 * @param maxClockSkew tolerance for {@code exp}/{@code nbf}/{@code iat}, at most 5 minutes
 * @param jwksCacheTtl how long fetched keys are used before refetching
 * @param jwksMinRefreshInterval minimum time between two fetches (an unknown {@code kid} flood
 *     cannot turn into a request flood)
 * @param httpTimeout connect and read timeout for JWKS and introspection
 * @param introspection RFC 7662 endpoint for opaque (non-JWT) tokens, if any
 */
public record BearerSettings(
    URI jwksUri,
    String issuer,
    Set<String> audiences,
    Set<String> requiredScopes,
    Set<String> algorithms,
    String userClaim,
    Duration maxClockSkew,
    Duration jwksCacheTtl,
    Duration jwksMinRefreshInterval,
    Duration httpTimeout,
    Optional<Introspection> introspection) {

  /** Algorithms Nimbus verifies with the JDK alone (EdDSA would need Google Tink). */
  static final Set<String> SUPPORTED =
      Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");

  /**
   * An RFC 7662 introspection endpoint with client credentials (HTTP Basic, RFC 7662 §2.1).
   *
   * @param endpoint https, or http on loopback only
   */
  public record Introspection(URI endpoint, String clientId, Secret clientSecret) {
    public Introspection {
      requireSafeUri(endpoint, "introspection endpoint");
      Objects.requireNonNull(clientId, "clientId");
      Objects.requireNonNull(clientSecret, "clientSecret");
    }
  }

  /**
   * @throws IllegalArgumentException naming the field that is wrong
   */
  public BearerSettings {
    requireSafeUri(jwksUri, "jwks-uri");
    Objects.requireNonNull(issuer, "issuer");
    if (issuer.isBlank()) {
      throw new IllegalArgumentException("issuer must be set");
    }
    audiences = Set.copyOf(audiences);
    if (audiences.isEmpty()) {
      throw new IllegalArgumentException("at least one audience must be set");
    }
    requiredScopes = Set.copyOf(requiredScopes);
    algorithms = Set.copyOf(algorithms);
    if (algorithms.isEmpty()) {
      throw new IllegalArgumentException("at least one algorithm must be allowed");
    }
    for (String alg : algorithms) {
      String upper = alg.toUpperCase(Locale.ROOT);
      if (upper.equals("NONE") || upper.startsWith("HS")) {
        throw new IllegalArgumentException(
            "algorithm " + alg + " is refused: tokens must be signed with a public-key algorithm");
      }
      if (!SUPPORTED.contains(alg)) {
        throw new IllegalArgumentException(
            "algorithm " + alg + " is not supported; use " + SUPPORTED);
      }
    }
    Objects.requireNonNull(userClaim, "userClaim");
    if (maxClockSkew.isNegative() || maxClockSkew.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("max clock skew must be 0..5 minutes");
    }
    if (jwksCacheTtl.compareTo(Duration.ofSeconds(10)) < 0
        || jwksMinRefreshInterval.isNegative()
        || httpTimeout.compareTo(Duration.ofMillis(100)) < 0) {
      throw new IllegalArgumentException(
          "cache ttl >= 10 s, refresh interval >= 0, timeout >= 100 ms");
    }
    Objects.requireNonNull(introspection, "introspection");
  }

  /**
   * Typical settings for {@code issuer}: RS256/ES256/PS256, user from {@code preferred_username}.
   */
  public static BearerSettings of(URI jwksUri, String issuer, String audience) {
    return new BearerSettings(
        jwksUri,
        issuer,
        Set.of(audience),
        Set.of(),
        Set.of("RS256", "ES256", "PS256"),
        "preferred_username",
        Duration.ofSeconds(60),
        Duration.ofMinutes(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Optional.empty());
  }

  private static void requireSafeUri(URI uri, String what) {
    Objects.requireNonNull(uri, what);
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("https")) {
      return;
    }
    if (scheme.equals("http") && isLoopback(uri.getHost())) {
      return; // a sidecar on the same host; anything else would let a network attacker swap keys
    }
    throw new IllegalArgumentException(what + " must be https (http only on loopback): " + uri);
  }

  private static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    if (host.equals("localhost")) {
      return true;
    }
    try {
      return host.matches("[0-9.]+|\\[[0-9a-fA-F:]+\\]")
          && InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
