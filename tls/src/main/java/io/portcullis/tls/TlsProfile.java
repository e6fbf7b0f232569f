package io.portcullis.tls;

import java.util.List;

/**
 * TLS versions and cipher suites, per Mozilla's server-side TLS guidance (v5.7), tightened to ECDHE
 * with AEAD only. Immutable. TLS 1.1 and older are never part of any profile.
 */
public enum TlsProfile {
  /**
   * Default: TLS 1.3 and TLS 1.2 with ECDHE key exchange and AEAD ciphers (no CBC, no RSA kex, no
   * SHA-1).
   */
  INTERMEDIATE(
      List.of("TLSv1.3", "TLSv1.2"),
      List.of(
          "TLS_AES_128_GCM_SHA256",
          "TLS_AES_256_GCM_SHA384",
          "TLS_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256")),
  /** TLS 1.3 only, for deployments whose clients are all recent. */
  MODERN(
      List.of("TLSv1.3"),
      List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"));

  private final List<String> protocols;
  private final List<String> cipherSuites;

  TlsProfile(List<String> protocols, List<String> cipherSuites) {
    this.protocols = protocols;
    this.cipherSuites = cipherSuites;
  }

  /** Protocol versions enabled, highest first, in JSSE names ({@code TLSv1.3}). */
  public List<String> protocols() {
    return protocols;
  }

  /** Cipher suites enabled, in IANA/JSSE names, in the order offered. */
  public List<String> cipherSuites() {
    return cipherSuites;
  }
}
