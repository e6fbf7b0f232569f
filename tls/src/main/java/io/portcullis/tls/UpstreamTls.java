package io.portcullis.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client TLS context for one upstream. Chain verification (system store plus optional CA bundle),
 * host name identity per RFC 7817 / RFC 6125 (DNS-ID with leftmost-label wildcards only; IP
 * literals against IP SANs) and SPKI pins are all checked inside the handshake, so no application
 * byte (and no credential) flows to an upstream that fails them. Thread-safe.
 */
public final class UpstreamTls {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTls.class);

  /**
   * Upstream handshakes that take longer than this fail (the gateway answers the client
   * temporarily).
   */
  static final long HANDSHAKE_TIMEOUT_MILLIS = 15_000;

  private final UpstreamTlsSettings settings;
  private final ResolvedProvider provider;
  private final SslContext context;

  private UpstreamTls(UpstreamTlsSettings settings, ResolvedProvider provider, SslContext context) {
    this.settings = settings;
    this.provider = provider;
    this.context = context;
  }

  /**
   * Builds the context; logs a WARN when {@code verify} is false.
   *
   * @throws TlsException when the CA bundle cannot be read or the provider cannot be used
   */
  public static UpstreamTls create(UpstreamTlsSettings settings) throws TlsException {
    ResolvedProvider provider = ResolvedProvider.resolve(settings.provider());
    Optional<X509ExtendedTrustManager> verifier = Optional.empty();
    if (settings.verify()) {
      List<X509Certificate> anchors = new ArrayList<>(SslContexts.systemAnchors());
      if (settings.caBundle().isPresent()) {
        anchors.addAll(SslContexts.caBundle(settings.caBundle().get()));
      }
      verifier = Optional.of(SslContexts.pkix(anchors));
    } else {
      LOG.warn(
          "TLS: upstream certificate verification is DISABLED by configuration (upstreams[].tls.verify:"
              + " false){}",
          settings.pinnedSpkiSha256().isEmpty()
              ? "; the connection can be intercepted"
              : "; only the SPKI pins are checked");
    }
    UpstreamTrustManager trust = new UpstreamTrustManager(verifier, settings.pinnedSpkiSha256());
    SslContext context = SslContexts.client(settings.profile(), provider, trust, settings.verify());
    return new UpstreamTls(settings, provider, context);
  }

  /**
   * A handler for one upstream connection to {@code host}: SNI set for host names (not for IP
   * literals, RFC 6066 §3), and endpoint identification set unless verification is disabled.
   */
  public SslHandler newHandler(ByteBufAllocator alloc, String host, int port) {
    String peer =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    SslHandler handler = context.newHandler(alloc, peer, port);
    SSLEngine engine = handler.engine();
    SSLParameters parameters = engine.getSSLParameters();
    if (settings.verify()) {
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    } else {
      parameters.setEndpointIdentificationAlgorithm(null);
      LOG.warn("TLS: connecting to upstream {}:{} WITHOUT certificate verification", peer, port);
    }
    if (!SelfSignedCertificates.isIpLiteral(peer)) {
      parameters.setServerNames(List.of(new SNIHostName(peer)));
    }
    engine.setSSLParameters(parameters);
    handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
    return SslContexts.restrictGroups(handler, provider);
  }

  /** The provider in use. */
  public String providerName() {
    return provider.name();
  }
}
