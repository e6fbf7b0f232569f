package io.portcullis.auth.oauth;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An upstream mailbox reached with a brokered token. The name sent upstream ({@code loginUser}) may
 * differ from the token's owner: a Microsoft 365 shared mailbox is opened with a member's token and
 * the shared mailbox's address. Immutable.
 *
 * @param name the account's name (user file {@code upstream.oauth-account}, CLI argument)
 * @param provider the provider's name
 * @param loginUser the user name sent in XOAUTH2 {@code user=} / OAUTHBEARER {@code a=}
 * @param owner whose token it is: the login hint at authorisation, and who must consent
 */
public record OAuthAccount(String name, String provider, String loginUser, String owner) {
  /** Account names: the same alphabet as user names. */
  public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}");

  public OAuthAccount {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(provider, "provider");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("oauth account name must match " + NAME.pattern());
    }
    if (loginUser == null || loginUser.isBlank()) {
      throw new IllegalArgumentException("oauth account " + name + ": login-user is required");
    }
    owner = owner == null || owner.isBlank() ? loginUser : owner;
    if (!printable(loginUser) || !printable(owner)) {
      // They travel in SASL messages whose separators are control characters (RFC 7628 §3.1).
      throw new IllegalArgumentException(
          "oauth account " + name + ": login-user and owner must be printable, without commas");
    }
  }

  /** Whether the upstream login name differs from the token's owner (shared mailbox). */
  public boolean shared() {
    return !loginUser.equals(owner);
  }

  private static boolean printable(String s) {
    return s.chars().allMatch(c -> c > 0x20 && c != 0x7f && c != ',');
  }
}
