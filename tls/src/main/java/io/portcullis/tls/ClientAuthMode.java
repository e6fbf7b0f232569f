package io.portcullis.tls;

/**
 * Whether a listener asks clients for a certificate (mutual TLS, {@code
 * listeners[].tls.client-auth}).
 */
public enum ClientAuthMode {
  /** No certificate is requested. */
  NONE,
  /** A certificate is requested; a client may send none, but one that it sends must verify. */
  OPTIONAL,
  /** The handshake fails unless the client presents a certificate that verifies. */
  REQUIRED
}
