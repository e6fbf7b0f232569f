package io.portcullis.auth;

/**
 * What a client presented to authenticate, as decoded by a SASL mechanism or a plain login command.
 * Implementations are immutable apart from {@link Secret#destroy()} and never print a secret.
 */
public sealed interface Credentials
    permits PasswordCredentials, BearerCredentials, ExternalCredentials {

  /** The user name the client claims, or an empty string when the mechanism leaves it open. */
  String user();

  /** Wipes any secret held; idempotent. */
  void destroy();
}
