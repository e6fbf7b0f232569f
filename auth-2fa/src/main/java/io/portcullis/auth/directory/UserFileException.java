package io.portcullis.auth.directory;

/**
 * The user file cannot be read or written; the message names the file, the key path and the fault.
 */
public final class UserFileException extends RuntimeException {
  UserFileException(String message) {
    super(message);
  }

  UserFileException(String message, Throwable cause) {
    super(message, cause);
  }
}
