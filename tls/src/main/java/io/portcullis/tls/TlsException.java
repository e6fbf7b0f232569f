package io.portcullis.tls;

/**
 * A TLS setup failure; the message names the file and the problem, and never contains key material.
 */
public final class TlsException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates an exception whose message names the file and the problem. */
  public TlsException(String message) {
    super(message);
  }

  /** Creates an exception whose message names the file and the problem, with its cause. */
  public TlsException(String message, Throwable cause) {
    super(message, cause);
  }
}
