package io.portcullis.auth.oauth;

import java.time.Instant;
import java.util.Optional;

/**
 * One account's tokens as the store keeps them. Immutable; never printed with its tokens.
 *
 * @param accessToken the last access token, if any
 * @param refreshToken the refresh token, if any
 * @param accessTokenExpiresAt when the access token expires
 * @param refreshTokenExpiresAt when the refresh token expires, where the provider says
 * @param authorizedAt when the account was authorised
 * @param refreshedAt when a token was last obtained
 * @param scope the granted scope
 */
record StoredToken(
    Optional<String> accessToken,
    Optional<String> refreshToken,
    Optional<Instant> accessTokenExpiresAt,
    Optional<Instant> refreshTokenExpiresAt,
    Optional<Instant> authorizedAt,
    Optional<Instant> refreshedAt,
    String scope) {

  static final StoredToken EMPTY =
      new StoredToken(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          "");

  StoredToken withTokens(
      Optional<String> access, Optional<String> refresh, Optional<Instant> accessExpiry) {
    return new StoredToken(
        access, refresh, accessExpiry, refreshTokenExpiresAt, authorizedAt, refreshedAt, scope);
  }

  StoredToken withRefreshTokenExpiry(Optional<Instant> expiry) {
    return new StoredToken(
        accessToken, refreshToken, accessTokenExpiresAt, expiry, authorizedAt, refreshedAt, scope);
  }

  StoredToken withAuthorizedAt(Instant when, String grantedScope) {
    return new StoredToken(
        accessToken,
        refreshToken,
        accessTokenExpiresAt,
        refreshTokenExpiresAt,
        Optional.of(when),
        Optional.of(when),
        grantedScope == null ? "" : grantedScope);
  }

  StoredToken withRefreshedAt(Instant when) {
    return new StoredToken(
        accessToken,
        refreshToken,
        accessTokenExpiresAt,
        refreshTokenExpiresAt,
        authorizedAt,
        Optional.of(when),
        scope);
  }

  TokenStatus status(String account) {
    return new TokenStatus(
        account,
        refreshToken.isPresent(),
        accessTokenExpiresAt,
        refreshTokenExpiresAt,
        authorizedAt,
        refreshedAt,
        scope);
  }

  @Override
  public String toString() {
    return "StoredToken[" + status("?") + "]";
  }
}
