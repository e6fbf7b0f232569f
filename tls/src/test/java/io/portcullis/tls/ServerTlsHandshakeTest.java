package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The handshake matrix of issue 4 against real sockets, once per provider: what Mozilla's
 * intermediate profile allows succeeds, downgrades and weak suites fail. The test JVM lifts the
 * JDK's own bans (legacy-client.java.security), so a refusal here is Portcullis's doing.
 */
class ServerTlsHandshakeTest {
  private static final TestPki PKI = TestPki.newCa("Handshake Test CA");
  private static SSLContext client;

  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    // As in the gateway: the provider is resolved before any TLS server in the JVM handshakes (the
    // control test below runs a plain JSSE server, which would fix the JDK's renegotiation switch).
    ResolvedProvider.resolve(TlsProvider.JDK);
    client = JdkClient.trusting(PKI.rootCertificate());
  }

  /**
   * Control for the refusals below: a server that does allow TLS 1.1, CBC and RSA key exchange is
   * reached by the same client settings, so each refusal test can fail.
   */
  @org.junit.jupiter.api.Test
  void legacyClientSettingsShouldSucceedAgainstAPermissiveServer() throws Exception {
    TestPki.Issued rsa =
        PKI.issue(TestPki.Spec.server("localhost").withKeyType(TestPki.KeyType.RSA));
    SSLContext serverContext = SSLContext.getInstance("TLS");
    var keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "k",
        rsa.key(),
        new char[] {'x'},
        rsa.chain().toArray(java.security.cert.X509Certificate[]::new));
    var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
    kmf.init(keys, new char[] {'x'});
    serverContext.init(kmf.getKeyManagers(), null, null);
    List<java.util.function.Consumer<javax.net.ssl.SSLParameters>> legacy =
        List.of(
            JdkClient.only("TLSv1.1"),
            JdkClient.only("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"),
            JdkClient.only("TLSv1.2", "TLS_RSA_WITH_AES_128_GCM_SHA256"));
    for (var settings : legacy) {
      try (var listener =
          (javax.net.ssl.SSLServerSocket)
              serverContext
                  .getServerSocketFactory()
                  .createServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        listener.setEnabledProtocols(new String[] {"TLSv1.1", "TLSv1.2"});
        listener.setEnabledCipherSuites(listener.getSupportedCipherSuites());
        var accepted =
            java.util.concurrent.CompletableFuture.runAsync(
                () -> {
                  try (var s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                });
        try (SSLSocket socket = JdkClient.handshake(client, listener.getLocalPort(), settings)) {
          assertThat(socket.getSession().isValid()).isTrue();
        }
        accepted.get(10, java.util.concurrent.TimeUnit.SECONDS);
      }
    }
  }

  private static ServerTls serverTls(TlsProvider provider, TlsProfile profile) throws Exception {
    // RSA, so that RSA key exchange and ECDHE_RSA CBC suites could be negotiated if they were
    // enabled.
    TestPki.Issued rsa =
        PKI.issue(TestPki.Spec.server("localhost").withKeyType(TestPki.KeyType.RSA));
    CertificateSource source = TestPki.writePem(dir, "rsa-" + provider + profile, rsa);
    ServerTlsSettings settings =
        new ServerTlsSettings(
            profile,
            provider,
            Optional.of(source),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of());
    return ServerTls.start(
        settings, dir, java.time.Clock.systemUTC(), Map.of(), ServerTls.DEBOUNCE);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void tls13ClientShouldCompleteHandshakeAndExchangeData(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT));
        SSLSocket socket = JdkClient.handshake(client, server.port(), JdkClient.only("TLSv1.3"))) {
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(JdkClient.echo(socket, "a1 NOOP")).isEqualTo("a1 NOOP");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void tls12ClientWithEcdheAeadShouldCompleteHandshake(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT));
        SSLSocket socket =
            JdkClient.handshake(
                client,
                server.port(),
                JdkClient.only("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"))) {
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.2");
      assertThat(socket.getSession().getCipherSuite())
          .isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void protocolDowngradeToTls11ShouldBeRefused(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () -> JdkClient.handshake(client, server.port(), JdkClient.only("TLSv1.1")))
          .isInstanceOf(SSLException.class);
      assertThatThrownBy(() -> JdkClient.handshake(client, server.port(), JdkClient.only("TLSv1")))
          .isInstanceOf(SSLException.class);
      assertThat(server.received()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void cbcOnlyClientShouldBeRefused(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () ->
                  JdkClient.handshake(
                      client,
                      server.port(),
                      JdkClient.only(
                          "TLSv1.2",
                          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
                          "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                          "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")))
          .isInstanceOf(SSLException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void rsaKeyExchangeOnlyClientShouldBeRefused(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () ->
                  JdkClient.handshake(
                      client,
                      server.port(),
                      JdkClient.only(
                          "TLSv1.2",
                          "TLS_RSA_WITH_AES_128_GCM_SHA256",
                          "TLS_RSA_WITH_AES_256_GCM_SHA384")))
          .isInstanceOf(SSLException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void finiteFieldDheOnlyClientShouldBeRefused(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () ->
                  JdkClient.handshake(
                      client,
                      server.port(),
                      p -> {
                        p.setProtocols(new String[] {"TLSv1.3"});
                        p.setNamedGroups(new String[] {"ffdhe2048", "ffdhe3072"});
                      }))
          .isInstanceOf(SSLException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void clientInitiatedRenegotiationShouldBeRefused(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT));
        SSLSocket socket = JdkClient.handshake(client, server.port(), JdkClient.only("TLSv1.2"))) {
      assertThat(JdkClient.echo(socket, "a1 NOOP")).isEqualTo("a1 NOOP");
      assertThatThrownBy(
              () -> {
                socket.startHandshake(); // renegotiation DoS: one more full handshake per call
                JdkClient.echo(socket, "a2 NOOP");
              })
          .isInstanceOf(java.io.IOException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void modernProfileShouldRefuseTls12(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.MODERN);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () -> JdkClient.handshake(client, server.port(), JdkClient.only("TLSv1.2")))
          .isInstanceOf(SSLException.class);
      try (SSLSocket socket = JdkClient.handshake(client, server.port(), p -> {})) {
        assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void alpnImapShouldBeSelectedAndUnknownAlpnAccepted(TlsProvider provider) throws Exception {
    try (ServerTls tls = serverTls(provider, TlsProfile.INTERMEDIATE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      try (SSLSocket socket =
          JdkClient.handshake(
              client, server.port(), p -> p.setApplicationProtocols(new String[] {"imap"}))) {
        assertThat(socket.getApplicationProtocol()).isEqualTo("imap");
      }
      try (SSLSocket socket =
          JdkClient.handshake(
              client, server.port(), p -> p.setApplicationProtocols(new String[] {"h2"}))) {
        assertThat(socket.getApplicationProtocol()).isEmpty();
      }
    }
  }
}
