package io.portcullis.auth.oauth;

import com.google.api.client.auth.oauth2.TokenResponse;
import java.time.Clock;
import java.util.Optional;

/** Stores the result of a first authorisation (code or device grant). Stateless. */
final class Authorizations {
  private Authorizations() {}

  /**
   * Stores the tokens of a successful grant, replacing what the account had.
   *
   * @throws OAuthException if the provider sent no refresh token: without one the broker could not
   *     keep the account working
   */
  static TokenStatus store(
      EncryptedTokenStore store,
      ProviderHttp http,
      Clock clock,
      OAuthAccount account,
      TokenResponse response) {
    if (response.getRefreshToken() == null || response.getAccessToken() == null) {
      throw new OAuthException(
          OAuthException.Kind.GRANT_INVALID,
          account.name(),
          "the provider returned no refresh token (Google: access_type=offline and"
              + " prompt=consent; Microsoft: the offline_access scope)");
    }
    var now = clock.instant();
    Long expiresIn = response.getExpiresInSeconds();
    StoredToken token =
        StoredToken.EMPTY
            .withTokens(
                Optional.of(response.getAccessToken()),
                Optional.of(response.getRefreshToken()),
                Optional.of(now.plusSeconds(expiresIn == null ? 3600 : expiresIn)))
            .withRefreshTokenExpiry(http.refreshTokenExpiry(response))
            .withAuthorizedAt(now, response.getScope());
    store.update(account.name(), current -> Optional.of(token));
    return token.status(account.name());
  }

  static OAuthAccount account(OAuthSettings settings, String name) {
    return settings
        .account(name)
        .orElseThrow(
            () ->
                new OAuthException(
                    OAuthException.Kind.UNKNOWN_ACCOUNT,
                    name,
                    "oauth account " + name + " is not configured (oauth.accounts)"));
  }
}
