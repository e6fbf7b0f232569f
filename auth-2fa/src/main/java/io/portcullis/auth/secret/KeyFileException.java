package io.portcullis.auth.secret;

/**
 * The master key cannot be loaded or created; the message names the file or variable and the fix.
 */
public final class KeyFileException extends RuntimeException {
  KeyFileException(String message) {
    super(message);
  }

  KeyFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
