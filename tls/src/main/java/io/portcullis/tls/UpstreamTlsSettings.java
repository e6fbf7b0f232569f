package io.portcullis.tls;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Upstream (client-side) TLS settings for one upstream. Immutable, validated when built.
 *
 * @param caBundle PEM CAs trusted in addition to the system store ({@code upstreams[].tls.ca})
 * @param verify whether the chain and host name are verified; {@code false} only by explicit
 *     configuration ({@code upstreams[].tls.verify}), logged as a warning
 * @param pinnedSpkiSha256 base64 SHA-256 of the SubjectPublicKeyInfo of the leaf or of any chain
 *     element; when non-empty one must match ({@code upstreams[].tls.pins})
 * @param provider TLS implementation
 * @param profile lowest protocol version and ciphers offered ({@code upstreams[].tls.profile});
 *     INTERMEDIATE (TLS 1.2+) unless given
 */
public record UpstreamTlsSettings(
    Optional<Path> caBundle,
    boolean verify,
    List<String> pinnedSpkiSha256,
    TlsProvider provider,
    TlsProfile profile) {

  public UpstreamTlsSettings {
    Objects.requireNonNull(caBundle, "caBundle");
    pinnedSpkiSha256 = List.copyOf(pinnedSpkiSha256);
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(profile, "profile");
    for (String pin : pinnedSpkiSha256) {
      byte[] decoded;
      try {
        decoded = Base64.getDecoder().decode(pin);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "upstreams[].tls.pins: \"" + pin + "\" is not base64", e);
      }
      if (decoded.length != 32) {
        throw new IllegalArgumentException(
            "upstreams[].tls.pins: \"" + pin + "\" is not a base64 SHA-256 (32 bytes)");
      }
    }
  }

  /** Settings with the INTERMEDIATE profile (TLS 1.2 and 1.3). */
  public UpstreamTlsSettings(
      Optional<Path> caBundle,
      boolean verify,
      List<String> pinnedSpkiSha256,
      TlsProvider provider) {
    this(caBundle, verify, pinnedSpkiSha256, provider, TlsProfile.INTERMEDIATE);
  }

  /** Full verification against the system trust store, no pins, automatic provider. */
  public static UpstreamTlsSettings defaults() {
    return new UpstreamTlsSettings(Optional.empty(), true, List.of(), TlsProvider.AUTO);
  }
}
