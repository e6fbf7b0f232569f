package io.portcullis.tls;

import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Verifies an upstream's chain and identity with the JDK's PKIX trust manager (RFC 5280, and RFC
 * 6125 names through the engine's endpoint identification), then checks SPKI pins (RFC 7469 form).
 * Failures carry an {@link UpstreamTlsFailure}. Thread-safe (immutable).
 */
final class UpstreamTrustManager extends X509ExtendedTrustManager {
  private static final X509Certificate[] NONE = new X509Certificate[0];

  private final Optional<X509ExtendedTrustManager> verifier; // empty: verify=false
  private final List<byte[]> pins;

  UpstreamTrustManager(Optional<X509ExtendedTrustManager> verifier, List<String> pins) {
    this.verifier = verifier;
    this.pins = pins.stream().map(p -> Base64.getDecoder().decode(p)).toList();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    if (verifier.isPresent()) {
      try {
        verifier.get().checkServerTrusted(chain, authType, engine);
      } catch (CertificateException e) {
        throw refused(e);
      }
    }
    checkPins(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (verifier.isPresent()) {
      try {
        verifier.get().checkServerTrusted(chain, authType, socket);
      } catch (CertificateException e) {
        throw refused(e);
      }
    }
    checkPins(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    // Without an engine there is no host name to check: refuse rather than skip identity.
    throw new UpstreamCertificateException(
        UpstreamTlsFailure.OTHER, "upstream verification needs the SSLEngine", null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted on upstream connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted on upstream connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("client certificates are not accepted on upstream connections");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return verifier.map(X509ExtendedTrustManager::getAcceptedIssuers).orElse(NONE);
  }

  private void checkPins(X509Certificate[] chain) throws CertificateException {
    if (pins.isEmpty()) {
      return;
    }
    for (X509Certificate certificate : chain) {
      byte[] spki = CertificateInfo.sha256(certificate.getPublicKey().getEncoded());
      for (byte[] pin : pins) {
        if (MessageDigest.isEqual(spki, pin)) {
          return;
        }
      }
    }
    throw new UpstreamCertificateException(
        UpstreamTlsFailure.PIN_MISMATCH,
        "no certificate of the chain has a configured SPKI pin (leaf pin-sha256="
            + (chain.length == 0 ? "none" : CertificateInfo.spkiSha256(chain[0]))
            + ")",
        null);
  }

  private static UpstreamCertificateException refused(CertificateException e) {
    if (e instanceof UpstreamCertificateException u) {
      return u;
    }
    return new UpstreamCertificateException(
        UpstreamTlsFailure.ofCertificateFailure(e), String.valueOf(e.getMessage()), e);
  }
}
