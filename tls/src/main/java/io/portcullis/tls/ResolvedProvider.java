package io.portcullis.tls;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.security.Provider;
import java.util.Optional;
import org.bouncycastle.jsse.provider.BouncyCastleJsseProvider;

/** A {@link TlsProvider} resolved to what Netty needs; AUTO is never left unresolved. Immutable. */
record ResolvedProvider(TlsProvider kind, SslProvider netty, Optional<Provider> jsse, String name) {

  /**
   * One BCJSSE instance over an unregistered Bouncy Castle crypto provider: no global JCA change.
   */
  private static final class Bcjsse {
    static final Provider INSTANCE = new BouncyCastleJsseProvider(KeyMaterialLoader.BC);
  }

  /**
   * Client-initiated renegotiation (TLS 1.2) lets one client make the server redo expensive
   * handshakes on one connection (a DoS that testssl.sh rates MEDIUM). The JDK reads this switch
   * once, when its first server handshake happens, so it is set before any context is built.
   * BoringSSL never allows it on servers; BCJSSE refuses it by default.
   */
  static final String REJECT_CLIENT_RENEGOTIATION = "jdk.tls.rejectClientInitiatedRenegotiation";

  static {
    System.setProperty(REJECT_CLIENT_RENEGOTIATION, "true");
  }

  static ResolvedProvider resolve(TlsProvider requested) throws TlsException {
    return switch (requested) {
      case AUTO -> OpenSsl.isAvailable() ? openSsl() : jdk();
      case OPENSSL -> {
        if (!OpenSsl.isAvailable()) {
          Throwable cause = OpenSsl.unavailabilityCause();
          throw new TlsException(
              "tls.provider: openssl is configured but netty-tcnative (BoringSSL) cannot be loaded on"
                  + " this platform ("
                  + (cause == null ? "unknown" : cause.getMessage())
                  + ")",
              cause);
        }
        yield openSsl();
      }
      case JDK -> jdk();
      case BOUNCYCASTLE ->
          new ResolvedProvider(
              TlsProvider.BOUNCYCASTLE, SslProvider.JDK, Optional.of(Bcjsse.INSTANCE), "BCJSSE");
    };
  }

  void applyTo(SslContextBuilder builder) {
    builder.sslProvider(netty);
    jsse.ifPresent(builder::sslContextProvider);
  }

  private static ResolvedProvider openSsl() {
    return new ResolvedProvider(
        TlsProvider.OPENSSL,
        SslProvider.OPENSSL,
        Optional.empty(),
        "OpenSSL (" + OpenSsl.versionString() + ")");
  }

  private static ResolvedProvider jdk() {
    return new ResolvedProvider(TlsProvider.JDK, SslProvider.JDK, Optional.empty(), "JDK");
  }
}
