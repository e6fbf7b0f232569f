package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Server-side TLS for all listeners.
 *
 * @param profile {@code intermediate} (TLS 1.2 and 1.3) or {@code modern} (TLS 1.3 only)
 * @param provider {@code auto}, {@code openssl}, {@code jdk} or {@code bouncycastle}
 * @param certificates certificate/key pairs; the first is the default, the others are chosen by SNI
 *     server name; none means a self-signed certificate generated in the data directory
 * @param hostNames names put in the self-signed certificate besides localhost and 127.0.0.1
 */
public record TlsConfig(
    String profile, String provider, List<CertificateConfig> certificates, List<String> hostNames) {

  public static final TlsConfig DEFAULT = new TlsConfig(null, null, null, null);

  public TlsConfig {
    profile = oneOf("tls.profile", profile, "intermediate", "intermediate", "modern");
    provider = oneOf("tls.provider", provider, "auto", "auto", "openssl", "jdk", "bouncycastle");
    certificates = certificates == null ? List.of() : List.copyOf(certificates);
    hostNames = hostNames == null ? List.of() : List.copyOf(hostNames);
  }

  /**
   * One certificate chain and its key.
   *
   * @param cert PEM chain, leaf first (or a PKCS#12 file, then {@code key} is omitted)
   * @param key PEM private key (PKCS#1, SEC1 or PKCS#8, possibly encrypted)
   * @param passphrase where the key passphrase comes from: {@code file:PATH} or {@code env:NAME}
   * @param names SNI names this pair answers for (may be {@code *.example.com}); none: the default
   */
  public record CertificateConfig(Path cert, Path key, String passphrase, List<String> names) {
    public CertificateConfig {
      if (cert == null) {
        throw new IllegalArgumentException("cert is required");
      }
      if (passphrase != null && !passphrase.startsWith("file:") && !passphrase.startsWith("env:")) {
        throw new IllegalArgumentException(
            "passphrase must be file:PATH or env:NAME (never the passphrase itself)");
      }
      names = names == null ? List.of() : List.copyOf(names);
    }
  }

  private static String oneOf(String key, String value, String fallback, String... allowed) {
    if (value == null) {
      return fallback;
    }
    String v = value.toLowerCase(Locale.ROOT);
    for (String a : allowed) {
      if (a.equals(v)) {
        return v;
      }
    }
    throw new IllegalArgumentException(
        key + " is '" + value + "' (expected one of: " + String.join(", ", allowed) + ")");
  }
}
