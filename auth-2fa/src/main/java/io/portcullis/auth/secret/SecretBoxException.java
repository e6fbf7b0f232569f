package io.portcullis.auth.secret;

/** A sealed secret could not be opened; the message never contains secret material. */
public final class SecretBoxException extends RuntimeException {
  SecretBoxException(String message) {
    super(message);
  }
}
