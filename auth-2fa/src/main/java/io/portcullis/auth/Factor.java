package io.portcullis.auth;

/** A proof the client gave; a Principal lists every one that was verified. */
public enum Factor {
  /** The account password (something you know). */
  PASSWORD,
  /** An RFC 6238 code appended to the password (something you have). */
  TOTP,
  /** A single-use recovery code appended to the password, instead of a TOTP code. */
  RECOVERY_CODE,
  /** A server-generated per-device password that stands in for password and code. */
  APP_PASSWORD,
  /** An OAuth 2.0 access token validated by signature or introspection. */
  BEARER_TOKEN,
  /** A TLS client certificate verified during the handshake (SASL EXTERNAL). */
  CLIENT_CERTIFICATE,
  /** Credentials passed through unverified; the upstream server decides. */
  UPSTREAM
}
