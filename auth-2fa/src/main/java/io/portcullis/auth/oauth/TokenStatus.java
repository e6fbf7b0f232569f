package io.portcullis.auth.oauth;

import java.time.Instant;
import java.util.Optional;

/**
 * What the store holds for an account, without any token: for {@code portcullis oauth list|show}.
 * Immutable.
 *
 * @param account the account
 * @param refreshToken whether a refresh token is stored
 * @param accessTokenExpiresAt when the stored access token expires
 * @param refreshTokenExpiresAt when the refresh token stops working, where the provider said so
 * @param authorizedAt when the account was last authorised
 * @param refreshedAt when a token was last obtained
 * @param scope the granted scopes, as the provider reported them
 */
public record TokenStatus(
    String account,
    boolean refreshToken,
    Optional<Instant> accessTokenExpiresAt,
    Optional<Instant> refreshTokenExpiresAt,
    Optional<Instant> authorizedAt,
    Optional<Instant> refreshedAt,
    String scope) {}
