package io.portcullis.gateway.config;

/** How a connection is protected, as named by the URL scheme of a listener or upstream. */
public enum Security {
  /** TLS from the first byte (RFC 8314): {@code pop3s://}, {@code imaps://}. */
  IMPLICIT_TLS,
  /**
   * Plaintext until STLS/STARTTLS, which is required before login (RFC 2595): {@code +starttls}.
   */
  STARTTLS,
  /** No TLS at all: {@code pop3://}, {@code imap://}; loopback-only for listeners. */
  PLAINTEXT
}
