package io.portcullis.tls;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLHandshakeException;

/** Why an upstream handshake failed, for audit logs (never shown to clients). */
public enum UpstreamTlsFailure {
  /** The upstream's certificate (or one of its chain) is past its notAfter. */
  EXPIRED,
  /** The upstream's certificate (or one of its chain) is before its notBefore. */
  NOT_YET_VALID,
  /** The chain does not lead to a trusted CA (self-signed, unknown or missing intermediate). */
  UNTRUSTED,
  /** The certificate does not name the configured host (RFC 6125 DNS-ID / IP SAN). */
  HOSTNAME_MISMATCH,
  /** No key in the chain has one of the configured SPKI SHA-256 pins. */
  PIN_MISMATCH,
  /** No common protocol version or cipher suite, or not TLS at all. */
  PROTOCOL,
  /** Anything else (I/O, internal errors). */
  OTHER;

  /** Finds the reason in the cause chain of a failed handshake. */
  public static UpstreamTlsFailure classify(Throwable handshakeFailure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    UpstreamTlsFailure fallback = OTHER;
    for (Throwable t = handshakeFailure; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof UpstreamCertificateException u) {
        return u.reason();
      }
      UpstreamTlsFailure direct = direct(t);
      if (direct != null) {
        return direct;
      }
      if (fallback == OTHER && isProtocol(t)) {
        fallback = PROTOCOL;
      }
    }
    return fallback;
  }

  /** Classification of a certificate-check failure thrown by the JDK's trust manager. */
  static UpstreamTlsFailure ofCertificateFailure(Throwable failure) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = failure; t != null && seen.add(t); t = t.getCause()) {
      UpstreamTlsFailure direct = direct(t);
      if (direct != null) {
        return direct;
      }
    }
    // The JDK's HostnameChecker has no exception type of its own; these are its messages.
    String message = String.valueOf(failure.getMessage());
    if (message.startsWith("No subject alternative")
        || message.startsWith("No name matching")
        || message.contains("subject alternative names")) {
      return HOSTNAME_MISMATCH;
    }
    return UNTRUSTED;
  }

  private static UpstreamTlsFailure direct(Throwable t) {
    return switch (t) {
      case CertificateExpiredException e -> EXPIRED;
      case CertificateNotYetValidException e -> NOT_YET_VALID;
      case CertPathValidatorException e
          when e.getReason() == CertPathValidatorException.BasicReason.EXPIRED ->
          EXPIRED;
      case CertPathValidatorException e
          when e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID ->
          NOT_YET_VALID;
      case CertPathValidatorException e -> UNTRUSTED;
      case CertPathBuilderException e -> UNTRUSTED;
      default -> null;
    };
  }

  private static boolean isProtocol(Throwable t) {
    String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
    return t instanceof io.netty.handler.ssl.NotSslRecordException
        || (t instanceof SSLHandshakeException || t instanceof javax.net.ssl.SSLException)
            && (message.contains("protocol_version")
                || message.contains("protocol version")
                || message.contains("no appropriate protocol")
                || message.contains("unsupported_protocol")
                || message.contains("wrong_version_number")
                || message.contains("no_shared_cipher")
                || message.contains("no cipher suites in common")
                || message.contains("insufficient_security")
                || message.contains("handshake_failure")
                || message.contains("no_cipher_match"));
  }
}
