package io.portcullis.tls;

import java.security.cert.CertificateException;

/** A refused upstream certificate with its audit reason; travels inside the handshake failure. */
final class UpstreamCertificateException extends CertificateException {
  private static final long serialVersionUID = 1L;

  private final UpstreamTlsFailure reason;

  UpstreamCertificateException(UpstreamTlsFailure reason, String message, Throwable cause) {
    super(reason + ": " + message, cause);
    this.reason = reason;
  }

  UpstreamTlsFailure reason() {
    return reason;
  }
}
