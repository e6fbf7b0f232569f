package io.portcullis.auth.oauth;

import java.time.Instant;
import java.util.Objects;

/**
 * An access token for one account, with the name to log in upstream with. Immutable; the token is
 * never printed.
 *
 * @param account the broker account
 * @param loginUser the user name to send upstream (may differ from the token's owner)
 * @param value the bearer token (RFC 6750)
 * @param expiresAt when the provider said it expires
 */
public record AccessToken(String account, String loginUser, String value, Instant expiresAt) {
  public AccessToken {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(loginUser, "loginUser");
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }

  @Override
  public String toString() {
    return "AccessToken[account=" + account + ", expiresAt=" + expiresAt + ", value=<redacted>]";
  }
}
