package io.portcullis.auth;

/**
 * What the session's policy asks of the second factor (docs/policies.md, {@code second-factor}),
 * applied on top of the user directory: a user record that says {@code required} or {@code exempt}
 * always wins, because an administrator set it for that one user.
 */
public enum SecondFactorRequirement {
  /** As the auth settings say; a user with a confirmed TOTP enrolment always gives a code. */
  AS_CONFIGURED,
  /** Only users with a confirmed TOTP enrolment give a code (policy {@code if-enrolled}). */
  IF_ENROLLED,
  /**
   * No code: the whole typed text is the password (policy {@code off}, e.g. from the office
   * network). Never split, so a password that ends in digits stays whole.
   */
  NOT_REQUIRED
}
