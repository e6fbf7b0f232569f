package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.List;

/**
 * The upstream server for one protocol.
 *
 * @param name what policy routing calls this upstream; default {@code default}, which is where
 *     sessions go when no policy routes them elsewhere
 * @param url protocol, security, host and port of the upstream
 * @param tls how the upstream's certificate is checked
 */
public record UpstreamConfig(String name, Endpoint url, UpstreamTlsConfig tls) {
  public static final String DEFAULT_NAME = "default";

  public UpstreamConfig {
    if (url == null) {
      throw new IllegalArgumentException("url is required");
    }
    name = name == null || name.isBlank() ? DEFAULT_NAME : name;
    tls = tls == null ? UpstreamTlsConfig.DEFAULT : tls;
  }

  public UpstreamConfig(Endpoint url, UpstreamTlsConfig tls) {
    this(null, url, tls);
  }

  /**
   * Upstream certificate verification.
   *
   * @param ca extra trusted CA bundle (PEM), in addition to the system trust store
   * @param verify false disables verification for this upstream only; logged loudly
   * @param pins SHA-256 of the SubjectPublicKeyInfo (base64) of which one must be in the chain
   * @param profile lowest version offered: {@code intermediate} (TLS 1.2, default) or {@code
   *     modern} (TLS 1.3)
   */
  public record UpstreamTlsConfig(Path ca, Boolean verify, List<String> pins, String profile) {
    static final UpstreamTlsConfig DEFAULT = new UpstreamTlsConfig(null, true, List.of(), null);

    public UpstreamTlsConfig {
      verify = verify == null || verify;
      pins = pins == null ? List.of() : List.copyOf(pins);
      profile = profile == null ? "intermediate" : profile.toLowerCase(java.util.Locale.ROOT);
      if (!profile.equals("intermediate") && !profile.equals("modern")) {
        throw new IllegalArgumentException(
            "tls.profile is '" + profile + "' (expected one of: intermediate, modern)");
      }
    }
  }
}
