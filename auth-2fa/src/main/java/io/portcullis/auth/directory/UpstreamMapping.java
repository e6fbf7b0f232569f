package io.portcullis.auth.directory;

import java.util.Objects;
import java.util.Optional;

/**
 * How the gateway logs in upstream for a user.
 *
 * @param user upstream login name; empty means the local name
 * @param sealedPassword the upstream password sealed with {@code SecretContext.upstreamPassword}
 * @param oauthAccount the broker account whose token is used instead (issue 6)
 */
public record UpstreamMapping(
    String user, Optional<String> sealedPassword, Optional<String> oauthAccount) {
  public UpstreamMapping {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(sealedPassword, "sealedPassword");
    Objects.requireNonNull(oauthAccount, "oauthAccount");
    if (sealedPassword.isPresent() && oauthAccount.isPresent()) {
      throw new IllegalArgumentException("upstream password and oauth-account are exclusive");
    }
  }
}
