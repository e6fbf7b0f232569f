package io.portcullis.tls;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Settings of one listener's TLS; immutable, validated when built.
 *
 * @param profile protocol versions and ciphers ({@code tls.profile})
 * @param provider TLS implementation ({@code tls.provider})
 * @param defaultCertificate served when SNI names no configured host; empty means a self-signed
 *     certificate generated once and persisted in the data directory
 * @param sniCertificates server name (lower case, optionally {@code *.example.com}) to certificate
 * @param clientAuth mutual TLS mode ({@code listeners[].tls.client-auth})
 * @param clientCaBundle PEM bundle of the CAs that client certificates must chain to; required
 *     unless {@code clientAuth} is {@code NONE}
 * @param selfSignedHostNames host names put into a generated self-signed certificate
 */
public record ServerTlsSettings(
    TlsProfile profile,
    TlsProvider provider,
    Optional<CertificateSource> defaultCertificate,
    Map<String, CertificateSource> sniCertificates,
    ClientAuthMode clientAuth,
    Optional<Path> clientCaBundle,
    List<String> selfSignedHostNames) {

  // RFC 1123 labels; a wildcard only as the whole leftmost label (RFC 6125 §6.4.3).
  private static final Pattern SNI_NAME =
      Pattern.compile(
          "(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

  public ServerTlsSettings {
    Objects.requireNonNull(profile, "profile");
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(defaultCertificate, "defaultCertificate");
    Objects.requireNonNull(sniCertificates, "sniCertificates");
    Objects.requireNonNull(clientAuth, "clientAuth");
    Objects.requireNonNull(clientCaBundle, "clientCaBundle");
    Objects.requireNonNull(selfSignedHostNames, "selfSignedHostNames");
    Map<String, CertificateSource> sni = new LinkedHashMap<>();
    sniCertificates.forEach(
        (name, source) -> {
          String lower = name.toLowerCase(Locale.ROOT);
          if (!SNI_NAME.matcher(lower).matches() || lower.length() > 253) {
            throw new IllegalArgumentException(
                "tls.certificates: \""
                    + name
                    + "\" is not a host name or a leftmost-label wildcard");
          }
          if (sni.put(lower, Objects.requireNonNull(source, name)) != null) {
            throw new IllegalArgumentException("tls.certificates: \"" + name + "\" appears twice");
          }
        });
    sniCertificates = Map.copyOf(sni);
    if (clientAuth != ClientAuthMode.NONE && clientCaBundle.isEmpty()) {
      // Fail closed: with no CA bundle there is nothing a client certificate could be verified
      // against.
      throw new IllegalArgumentException(
          "listeners[].tls.client-auth is "
              + clientAuth
              + " but no client CA bundle is configured");
    }
    selfSignedHostNames = List.copyOf(selfSignedHostNames);
  }

  /**
   * Intermediate profile, automatic provider, self-signed for {@code localhost}, no client
   * certificates.
   */
  public static ServerTlsSettings defaults() {
    return new ServerTlsSettings(
        TlsProfile.INTERMEDIATE,
        TlsProvider.AUTO,
        Optional.empty(),
        Map.of(),
        ClientAuthMode.NONE,
        Optional.empty(),
        List.of("localhost"));
  }

  /** A copy with these SNI certificates. */
  public ServerTlsSettings withSni(Map<String, CertificateSource> certificates) {
    return new ServerTlsSettings(
        profile,
        provider,
        defaultCertificate,
        certificates,
        clientAuth,
        clientCaBundle,
        selfSignedHostNames);
  }

  /** A copy with the given default certificate. */
  public ServerTlsSettings withDefaultCertificate(CertificateSource source) {
    return new ServerTlsSettings(
        profile,
        provider,
        Optional.of(source),
        sniCertificates,
        clientAuth,
        clientCaBundle,
        selfSignedHostNames);
  }
}
