package io.portcullis.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Description of a certificate, for startup banners, expiry warnings and {@code portcullis cert
 * show}. Immutable.
 *
 * @param sha256Fingerprint SHA-256 of the DER certificate, upper-case hex pairs separated by colons
 * @param spkiSha256 SHA-256 of the DER SubjectPublicKeyInfo, base64 (the form used for pinning)
 */
public record CertificateInfo(
    String subject,
    List<String> subjectAltNames,
    String issuer,
    Instant notBefore,
    Instant notAfter,
    String sha256Fingerprint,
    String spkiSha256) {

  public CertificateInfo {
    Objects.requireNonNull(subject, "subject");
    subjectAltNames = List.copyOf(subjectAltNames);
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(notBefore, "notBefore");
    Objects.requireNonNull(notAfter, "notAfter");
    Objects.requireNonNull(sha256Fingerprint, "sha256Fingerprint");
    Objects.requireNonNull(spkiSha256, "spkiSha256");
  }

  /**
   * Describes {@code c}; SANs are rendered as {@code DNS:name}, {@code IP:addr}, {@code
   * email:addr}.
   */
  public static CertificateInfo of(X509Certificate c) {
    try {
      return new CertificateInfo(
          c.getSubjectX500Principal().getName(),
          subjectAltNames(c),
          c.getIssuerX500Principal().getName(),
          c.getNotBefore().toInstant(),
          c.getNotAfter().toInstant(),
          HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256(c.getEncoded())),
          spkiSha256(c));
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("certificate cannot be encoded", e);
    }
  }

  /**
   * Describes every certificate of a PEM file, in file order (for {@code portcullis cert show}).
   *
   * @throws TlsException when the file is missing, empty or holds no certificate
   */
  public static List<CertificateInfo> readPem(java.nio.file.Path file) throws TlsException {
    return KeyMaterialLoader.readCertificates(file).stream().map(CertificateInfo::of).toList();
  }

  /** Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (RFC 7469 pin format). */
  public static String spkiSha256(X509Certificate c) {
    return Base64.getEncoder().encodeToString(sha256(c.getPublicKey().getEncoded()));
  }

  /** Whether the certificate is expired, or expires within {@code window} of the clock's now. */
  public boolean expiresWithin(Duration window, Clock clock) {
    return !notAfter.isAfter(clock.instant().plus(window));
  }

  /** Whether the clock's now lies outside [notBefore, notAfter]. */
  public boolean isOutsideValidity(Clock clock) {
    Instant now = clock.instant();
    return now.isBefore(notBefore) || now.isAfter(notAfter);
  }

  private static List<String> subjectAltNames(X509Certificate c) {
    List<String> out = new ArrayList<>();
    try {
      var names = c.getSubjectAlternativeNames();
      if (names == null) {
        return out;
      }
      for (List<?> name : names) {
        int type = (Integer) name.get(0);
        Object value = name.get(1);
        switch (type) {
          case 1 -> out.add("email:" + value);
          case 2 -> out.add("DNS:" + value);
          case 6 -> out.add("URI:" + value);
          case 7 -> out.add("IP:" + value);
          default -> out.add("other(" + type + ")");
        }
      }
    } catch (CertificateParsingException e) {
      out.add("unparseable");
    }
    return out;
  }

  static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
    }
  }
}
