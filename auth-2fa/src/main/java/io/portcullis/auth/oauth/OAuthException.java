package io.portcullis.auth.oauth;

import java.util.Objects;

/**
 * No access token could be had for an account. The message names the account and the cause and
 * never holds a token or a provider's error text beyond its RFC 6749 error code.
 */
public final class OAuthException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why, as the gateway must treat it. */
  public enum Kind {
    /** The account is not in the configuration. */
    UNKNOWN_ACCOUNT("oauth-unknown-account", false),
    /** The account has never been authorised (or was revoked with the CLI). */
    NOT_AUTHORIZED("oauth-not-authorized", false),
    /** The provider refused the refresh token (invalid_grant): re-authorisation is needed. */
    GRANT_INVALID("oauth-grant-invalid", false),
    /** The provider refused this client (invalid_client, unauthorized_client...). */
    CLIENT_REJECTED("oauth-client-rejected", false),
    /** Token endpoint unreachable, 5xx, slow, or the store could not be written: try later. */
    UNAVAILABLE("oauth-unavailable", true),
    /** The token store fails authentication (tampered, truncated, other key). */
    STORE_UNREADABLE("oauth-store-unreadable", true);

    private final String code;
    private final boolean temporary;

    Kind(String code, boolean temporary) {
      this.code = code;
      this.temporary = temporary;
    }

    /** The audit reason code. */
    public String code() {
      return code;
    }

    /** Whether a client should retry later rather than be told that login failed. */
    public boolean temporary() {
      return temporary;
    }
  }

  private final Kind kind;
  private final String account;

  public OAuthException(Kind kind, String account, String message) {
    this(kind, account, message, null);
  }

  public OAuthException(Kind kind, String account, String message, Throwable cause) {
    super(message, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.account = Objects.requireNonNull(account, "account");
  }

  public Kind kind() {
    return kind;
  }

  public String account() {
    return account;
  }
}
