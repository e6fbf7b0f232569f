package io.portcullis.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** Builds Netty server and client contexts restricted to a {@link TlsProfile}. Stateless. */
final class SslContexts {
  /**
   * ALPN ids for mail (RFC 7301 registry): offered, never required, so clients without ALPN work.
   */
  static final List<String> ALPN_PROTOCOLS = List.of("imap", "pop3");

  /** TLS 1.2 session cache/ticket lifetime: two ticket-key rotations. */
  static final long SESSION_TIMEOUT_SECONDS = TicketKeyRotator.INTERVAL.multipliedBy(2).toSeconds();

  private SslContexts() {}

  static SslContext server(
      KeyMaterial material,
      TlsProfile profile,
      ResolvedProvider provider,
      ClientAuthMode clientAuth,
      List<X509Certificate> clientCas)
      throws TlsException {
    SslContextBuilder builder = SslContextBuilder.forServer(material.key(), material.chain());
    provider.applyTo(builder);
    restrict(builder, profile);
    builder.applicationProtocolConfig(
        new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ALPN_PROTOCOLS));
    builder.sessionTimeout(SESSION_TIMEOUT_SECONDS);
    switch (clientAuth) {
      case NONE -> builder.clientAuth(ClientAuth.NONE);
      case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL).trustManager(pkix(clientCas));
      case REQUIRED -> builder.clientAuth(ClientAuth.REQUIRE).trustManager(pkix(clientCas));
    }
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsException(
          "cannot build TLS context for "
              + material.leaf().getSubjectX500Principal().getName()
              + " with "
              + provider.name()
              + " ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  static SslContext client(
      TlsProfile profile, ResolvedProvider provider, TrustManager trustManager, boolean identify)
      throws TlsException {
    SslContextBuilder builder = SslContextBuilder.forClient();
    provider.applyTo(builder);
    restrict(builder, profile);
    builder.trustManager(trustManager);
    builder.endpointIdentificationAlgorithm(identify ? "HTTPS" : null);
    try {
      return builder.build();
    } catch (SSLException | RuntimeException e) {
      throw new TlsException(
          "cannot build upstream TLS context with " + provider.name() + " (" + e.getMessage() + ")",
          e);
    }
  }

  /**
   * Key-exchange groups: elliptic curves only (and the X25519+ML-KEM hybrid where the JDK has it),
   * so TLS 1.3 never falls back to finite-field DHE. BoringSSL has no FFDHE and needs nothing.
   */
  static final List<String> NAMED_GROUPS =
      List.of("X25519MLKEM768", "x25519", "secp256r1", "secp384r1");

  /** Applies {@link #NAMED_GROUPS} to a JSSE engine (JDK or BCJSSE); returns the handler. */
  static SslHandler restrictGroups(SslHandler handler, ResolvedProvider provider) {
    if (provider.kind() != TlsProvider.OPENSSL) {
      javax.net.ssl.SSLEngine engine = handler.engine();
      javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
      parameters.setNamedGroups(NAMED_GROUPS.toArray(String[]::new));
      engine.setSSLParameters(parameters);
    }
    return handler;
  }

  private static void restrict(SslContextBuilder builder, TlsProfile profile) {
    // Never a lower version than the profile names, whatever the provider would allow by default.
    builder.protocols(profile.protocols());
    // Identity filter: an unknown suite fails the build instead of silently shrinking the list.
    builder.ciphers(profile.cipherSuites(), IdentityCipherSuiteFilter.INSTANCE);
  }

  /** A PKIX trust manager over exactly {@code anchors}. */
  static X509ExtendedTrustManager pkix(List<X509Certificate> anchors) throws TlsException {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int i = 0;
      for (X509Certificate anchor : anchors) {
        store.setCertificateEntry("ca-" + i++, anchor);
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init(store);
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509ExtendedTrustManager extended) {
          return extended;
        }
      }
      throw new TlsException("no X509ExtendedTrustManager in the PKIX TrustManagerFactory");
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new TlsException("cannot build trust store (" + e.getMessage() + ")", e);
    }
  }

  /** The CAs of the JDK's default trust store (cacerts, or javax.net.ssl.trustStore if set). */
  static List<X509Certificate> systemAnchors() throws TlsException {
    try {
      TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
      factory.init((KeyStore) null);
      List<X509Certificate> out = new ArrayList<>();
      for (TrustManager manager : factory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          out.addAll(List.of(x509.getAcceptedIssuers()));
        }
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new TlsException("cannot read the system trust store (" + e.getMessage() + ")", e);
    }
  }

  static List<X509Certificate> caBundle(Path file) throws TlsException {
    return KeyMaterialLoader.readCertificates(file);
  }
}
