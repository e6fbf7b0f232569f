package io.portcullis.auth.oauth;

/**
 * The token store cannot be read or written. The message names the file and the cause (tampered,
 * other key, I/O) and never holds token material.
 */
public final class TokenStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TokenStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
