package io.portcullis.auth;

import java.util.Objects;

/**
 * SASL EXTERNAL (RFC 4422 appendix A): identity established outside SASL, by a TLS client
 * certificate.
 *
 * @param authzid the identity the client asks to act as, empty to use the certificate's own
 */
public record ExternalCredentials(String authzid) implements Credentials {
  public ExternalCredentials {
    Objects.requireNonNull(authzid, "authzid");
  }

  @Override
  public String user() {
    return authzid;
  }

  @Override
  public void destroy() {
    // Nothing secret: the proof is the TLS handshake.
  }
}
