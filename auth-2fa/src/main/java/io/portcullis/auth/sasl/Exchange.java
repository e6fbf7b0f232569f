package io.portcullis.auth.sasl;

/**
 * One mechanism's server side: pure, no I/O, one instance per authentication attempt. Not
 * thread-safe.
 */
interface Exchange {
  /** The first challenge when the client sent no initial response. */
  SaslStep start();

  /** Feeds one decoded client response. */
  SaslStep respond(byte[] response);
}
