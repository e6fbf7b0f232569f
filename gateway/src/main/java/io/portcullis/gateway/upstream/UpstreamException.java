package io.portcullis.gateway.upstream;

/** An upstream session could not be set up; carries the reason for audit, never shown verbatim. */
public final class UpstreamException extends Exception {
  private static final long serialVersionUID = 1L;

  private final UpstreamFailure failure;

  public UpstreamException(UpstreamFailure failure, String detail) {
    super(failure.code() + (detail == null ? "" : ": " + detail), null, false, false);
    this.failure = failure;
  }

  public UpstreamFailure failure() {
    return failure;
  }
}
