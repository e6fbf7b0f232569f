package io.portcullis.gateway.upstream;

/**
 * Why an upstream session could not be set up. The reason code goes to the audit log; the client
 * only learns whether to retry ({@link #temporary()}) (THREATS C5: no upstream text reaches it).
 */
public enum UpstreamFailure {
  /** TCP connect refused or unreachable. */
  UNREACHABLE("upstream-unreachable", true),
  /** Connect or login took longer than the limit. */
  TIMEOUT("upstream-timeout", true),
  /** Certificate expired. */
  TLS_EXPIRED("upstream-tls-expired", true),
  /** Certificate not yet valid. */
  TLS_NOT_YET_VALID("upstream-tls-not-yet-valid", true),
  /** Certificate chain not trusted. */
  TLS_UNTRUSTED("upstream-tls-untrusted", true),
  /** Certificate does not name the host (RFC 7817 §3). */
  TLS_HOSTNAME("upstream-tls-hostname-mismatch", true),
  /** No pinned key in the chain. */
  TLS_PIN("upstream-tls-pin-mismatch", true),
  /** Handshake failed on protocol version or ciphers. */
  TLS_PROTOCOL("upstream-tls-protocol", true),
  /** Another TLS failure. */
  TLS_OTHER("upstream-tls-failure", true),
  /** STARTTLS/STLS required but not offered or refused (THREATS C1). */
  STARTTLS_UNAVAILABLE("upstream-starttls-unavailable", true),
  /** Bytes followed the STARTTLS answer in plaintext (THREATS C3). */
  STARTTLS_INJECTION("upstream-starttls-injection", true),
  /** The upstream said something the protocol does not allow. */
  PROTOCOL("upstream-protocol-error", true),
  /** The upstream closed the connection during setup. */
  CLOSED("upstream-closed", true),
  /** The upstream refused the credentials. */
  REJECTED("upstream-rejected", false),
  /** The credentials cannot be sent safely (CR, LF, NUL). */
  UNSENDABLE_CREDENTIALS("credentials-not-sendable", false),
  /** The upstream is temporarily unable to serve the account (e.g. [SYS/TEMP], [IN-USE]). */
  TEMPORARY("upstream-temporary", true),
  /** The upstream offers neither XOAUTH2 nor OAUTHBEARER for a token login. */
  OAUTH_NOT_OFFERED("upstream-oauth-not-offered", false),
  /** The OAuth account is not configured. */
  OAUTH_UNKNOWN_ACCOUNT("oauth-unknown-account", false),
  /** The OAuth account was never authorised. */
  OAUTH_NOT_AUTHORIZED("oauth-not-authorized", false),
  /** The provider refused the refresh token: re-authorisation needed. */
  OAUTH_GRANT_INVALID("oauth-grant-invalid", false),
  /** The provider refused the gateway's client registration. */
  OAUTH_CLIENT_REJECTED("oauth-client-rejected", false),
  /** No token now: token endpoint unreachable, failing or slow, or the store unwritable. */
  OAUTH_UNAVAILABLE("oauth-unavailable", true),
  /** The token store fails authentication. */
  OAUTH_STORE_UNREADABLE("oauth-store-unreadable", true);

  private final String code;
  private final boolean temporary;

  UpstreamFailure(String code, boolean temporary) {
    this.code = code;
    this.temporary = temporary;
  }

  /** The failure for a token that could not be had. */
  public static UpstreamFailure of(io.portcullis.auth.oauth.OAuthException.Kind kind) {
    return switch (kind) {
      case UNKNOWN_ACCOUNT -> OAUTH_UNKNOWN_ACCOUNT;
      case NOT_AUTHORIZED -> OAUTH_NOT_AUTHORIZED;
      case GRANT_INVALID -> OAUTH_GRANT_INVALID;
      case CLIENT_REJECTED -> OAUTH_CLIENT_REJECTED;
      case UNAVAILABLE -> OAUTH_UNAVAILABLE;
      case STORE_UNREADABLE -> OAUTH_STORE_UNREADABLE;
    };
  }

  /** The audit reason code. */
  public String code() {
    return code;
  }

  /** Whether the client should be told to try again later rather than that login failed. */
  public boolean temporary() {
    return temporary;
  }
}
