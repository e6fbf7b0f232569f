package io.portcullis.gateway.cli;

/** A failure a command reports to the user as one message and an exit status. */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  CliException(String message, int status) {
    super(message, null, false, false);
    this.status = status;
  }

  CliException(String message) {
    this(message, 2);
  }

  int status() {
    return status;
  }
}
