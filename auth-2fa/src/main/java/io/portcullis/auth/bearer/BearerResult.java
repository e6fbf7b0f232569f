package io.portcullis.auth.bearer;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/** The outcome of validating one bearer token. */
public sealed interface BearerResult {
  /**
   * The token is valid.
   *
   * @param user the value of the configured user claim
   * @param subject {@code sub}
   * @param scopes granted scopes
   * @param expiresAt {@code exp}
   */
  record Valid(String user, String subject, Set<String> scopes, Instant expiresAt)
      implements BearerResult {
    public Valid {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(subject, "subject");
      scopes = Set.copyOf(scopes);
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /**
   * The token is not acceptable.
   *
   * @param reason audit code: {@code token-expired}, {@code token-not-yet-valid}, {@code
   *     wrong-issuer}, {@code wrong-audience}, {@code missing-scope}, {@code bad-signature}, {@code
   *     unknown-key}, {@code algorithm-not-allowed}, {@code unsigned-token}, {@code
   *     malformed-token}, {@code missing-user-claim}, {@code inactive-token}
   */
  record Invalid(String reason) implements BearerResult {}

  /**
   * The token could not be checked (keys or introspection unreachable): a temporary failure.
   *
   * @param reason audit code
   */
  record Unavailable(String reason) implements BearerResult {}
}
