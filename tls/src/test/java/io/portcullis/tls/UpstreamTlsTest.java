package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The gateway as a TLS client (THREATS C7): chain, RFC 6125 identity and SPKI pins are checked in
 * the handshake, for every provider; a refused upstream never receives an application byte.
 */
class UpstreamTlsTest {
  private static final String HOST = "imap.example.test";
  private static final String LOGIN = "a1 LOGIN user secret\r\n";
  private static final TestPki PKI = TestPki.newCa("Upstream Test CA");
  private static final TestPki OTHER_PKI = TestPki.newCa("Some Other CA");
  private static EventLoopGroup group;
  private static Path caBundle;

  @TempDir static Path dir;

  @BeforeAll
  static void setUp() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    caBundle = TestPki.writeChain(dir.resolve("ca.pem"), List.of(PKI.rootCertificate()));
  }

  @AfterAll
  static void tearDown() {
    group.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** Result of one upstream connection attempt. */
  private record Attempt(Throwable failure, SslHandler handler, byte[] serverReceived) {
    UpstreamTlsFailure reason() {
      return failure == null ? null : UpstreamTlsFailure.classify(failure);
    }
  }

  private static UpstreamTlsSettings trusting(TlsProvider provider) {
    return new UpstreamTlsSettings(Optional.of(caBundle), true, List.of(), provider);
  }

  /**
   * Serves {@code upstream} on loopback and connects to it as {@code host}, writing a LOGIN at
   * once.
   */
  private static Attempt connect(TestPki.Issued upstream, UpstreamTlsSettings settings, String host)
      throws Exception {
    CertificateSource source = TestPki.writePem(dir, "upstream-" + System.nanoTime(), upstream);
    ServerTlsSettings serverSettings =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            TlsProvider.JDK,
            Optional.of(source),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of());
    try (ServerTls serverTls =
            ServerTls.start(serverSettings, dir, Clock.systemUTC(), Map.of(), ServerTls.DEBOUNCE);
        TestServer server =
            TestServer.start(() -> serverTls.newHandler(ByteBufAllocator.DEFAULT))) {
      Attempt attempt = connectTo(server.port(), settings, host);
      if (attempt.failure() == null) {
        // Echoed back by the server: wait for the full round trip before looking at what it
        // received.
        server.awaitReceived(LOGIN.length(), Duration.ofSeconds(10));
      }
      return new Attempt(attempt.failure(), attempt.handler(), server.received());
    }
  }

  /**
   * Connects to a loopback {@code port} as {@code host} and writes a LOGIN before the handshake
   * ends.
   */
  private static Attempt connectTo(int port, UpstreamTlsSettings settings, String host)
      throws Exception {
    UpstreamTls tls = UpstreamTls.create(settings);
    SslHandler handler = tls.newHandler(ByteBufAllocator.DEFAULT, host, port);
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(handler);
                  }
                })
            .connect(InetAddress.getLoopbackAddress(), port)
            .sync()
            .channel();
    // Written before the handshake completes: SslHandler must hold it until verification passed.
    ChannelFuture login =
        channel.writeAndFlush(Unpooled.copiedBuffer(LOGIN, StandardCharsets.US_ASCII));
    Future<Channel> handshake = handler.handshakeFuture().await();
    assertThat(handshake.isDone()).isTrue();
    login.await(10, TimeUnit.SECONDS);
    channel.close().sync();
    return new Attempt(handshake.cause(), handler, new byte[0]);
  }

  /**
   * A one-connection server on loopback that runs {@code conversation} with the accepted socket.
   */
  private static int serveOnce(
      java.net.ServerSocket listener, java.util.function.Consumer<java.net.Socket> conversation) {
    Thread.ofVirtual()
        .start(
            () -> {
              try (listener;
                  java.net.Socket socket = listener.accept()) {
                conversation.accept(socket);
              } catch (java.io.IOException e) {
                // The client hung up: expected in refusal tests.
              }
            });
    return listener.getLocalPort();
  }

  @Test
  void upstreamOfferingOnlyTls11ShouldFailAsProtocol() throws Exception {
    TestPki.Issued rsa = PKI.issue(TestPki.Spec.server(HOST).withKeyType(TestPki.KeyType.RSA));
    javax.net.ssl.SSLContext legacy = javax.net.ssl.SSLContext.getInstance("TLS");
    var keys = java.security.KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry(
        "k",
        rsa.key(),
        new char[] {'x'},
        rsa.chain().toArray(java.security.cert.X509Certificate[]::new));
    var kmf = javax.net.ssl.KeyManagerFactory.getInstance("PKIX");
    kmf.init(keys, new char[] {'x'});
    legacy.init(kmf.getKeyManagers(), null, null);
    var listener =
        (javax.net.ssl.SSLServerSocket)
            legacy
                .getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    listener.setEnabledProtocols(new String[] {"TLSv1.1"});
    int port =
        serveOnce(
            listener,
            socket -> {
              try {
                ((javax.net.ssl.SSLSocket) socket).startHandshake();
              } catch (java.io.IOException e) {
                // Expected: the client refuses TLS 1.1.
              }
            });
    Attempt attempt = connectTo(port, trusting(TlsProvider.JDK), HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.PROTOCOL);
  }

  @Test
  void plaintextUpstreamShouldFailAsProtocol() throws Exception {
    var listener = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    int port =
        serveOnce(
            listener,
            socket -> {
              try {
                socket
                    .getOutputStream()
                    .write(
                        "* OK [CAPABILITY IMAP4rev1] ready\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().read();
              } catch (java.io.IOException e) {
                // The client hung up.
              }
            });
    Attempt attempt = connectTo(port, trusting(TlsProvider.JDK), HOST);
    assertThat(attempt.failure()).isNotNull();
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.PROTOCOL);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void validCertificateForTheHostShouldConnect(TlsProvider provider) throws Exception {
    Attempt attempt = connect(PKI.issue(TestPki.Spec.server(HOST)), trusting(provider), HOST);
    assertThat(attempt.failure()).isNull();
    assertThat(new String(attempt.serverReceived(), StandardCharsets.US_ASCII)).isEqualTo(LOGIN);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void certificateForAnotherHostShouldBeRefusedBeforeCredentialsAreSent(TlsProvider provider)
      throws Exception {
    Attempt attempt =
        connect(PKI.issue(TestPki.Spec.server("mail.attacker.test")), trusting(provider), HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.HOSTNAME_MISMATCH);
    assertThat(attempt.serverReceived()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void expiredCertificateShouldBeRefused(TlsProvider provider) throws Exception {
    Instant now = Instant.now();
    TestPki.Spec expired =
        TestPki.Spec.server(HOST)
            .withValidity(now.minus(Duration.ofDays(100)), now.minus(Duration.ofDays(1)));
    Attempt attempt = connect(PKI.issue(expired), trusting(provider), HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.EXPIRED);
    assertThat(attempt.serverReceived()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void notYetValidCertificateShouldBeRefused(TlsProvider provider) throws Exception {
    Instant now = Instant.now();
    TestPki.Spec future =
        TestPki.Spec.server(HOST)
            .withValidity(now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(100)));
    Attempt attempt = connect(PKI.issue(future), trusting(provider), HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.NOT_YET_VALID);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void certificateFromUntrustedCaShouldBeRefused(TlsProvider provider) throws Exception {
    Attempt attempt = connect(OTHER_PKI.issue(TestPki.Spec.server(HOST)), trusting(provider), HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.UNTRUSTED);
    assertThat(attempt.serverReceived()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void wildcardInNonLeftmostLabelShouldBeRefused(TlsProvider provider) throws Exception {
    Attempt attempt =
        connect(
            PKI.issue(TestPki.Spec.server("imap.*.example.test")),
            trusting(provider),
            "imap.mail.example.test");
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.HOSTNAME_MISMATCH);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void leftmostWildcardShouldMatchOneLabelOnly(TlsProvider provider) throws Exception {
    TestPki.Issued wildcard = PKI.issue(TestPki.Spec.server("*.example.test"));
    assertThat(connect(wildcard, trusting(provider), HOST).failure()).isNull();
    assertThat(connect(wildcard, trusting(provider), "a.imap.example.test").reason())
        .isEqualTo(UpstreamTlsFailure.HOSTNAME_MISMATCH);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void ipLiteralShouldMatchOnlyAnIpSubjectAltName(TlsProvider provider) throws Exception {
    TestPki.Issued withIp = PKI.issue(TestPki.Spec.server("localhost").withIps("127.0.0.1"));
    assertThat(connect(withIp, trusting(provider), "127.0.0.1").failure()).isNull();
    TestPki.Issued dnsOnly = PKI.issue(TestPki.Spec.server("localhost", "127.0.0.1"));
    assertThat(connect(dnsOnly, trusting(provider), "127.0.0.1").reason())
        .isEqualTo(UpstreamTlsFailure.HOSTNAME_MISMATCH);
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void pinMismatchShouldFailTheHandshakeBeforeAnyApplicationByte(TlsProvider provider)
      throws Exception {
    String otherPin = CertificateInfo.spkiSha256(OTHER_PKI.rootCertificate());
    UpstreamTlsSettings pinned =
        new UpstreamTlsSettings(Optional.of(caBundle), true, List.of(otherPin), provider);
    Attempt attempt = connect(PKI.issue(TestPki.Spec.server(HOST)), pinned, HOST);
    assertThat(attempt.reason()).isEqualTo(UpstreamTlsFailure.PIN_MISMATCH);
    assertThat(attempt.serverReceived()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK", "BOUNCYCASTLE"})
  void pinOfAnIntermediateInTheChainShouldConnect(TlsProvider provider) throws Exception {
    TestPki.Issued intermediate = PKI.issue(TestPki.Spec.server("Intermediate").asCa());
    TestPki.Issued leaf = PKI.issueUnder(intermediate, TestPki.Spec.server(HOST));
    UpstreamTlsSettings pinned =
        new UpstreamTlsSettings(
            Optional.of(caBundle),
            true,
            List.of(CertificateInfo.spkiSha256(intermediate.certificate())),
            provider);
    assertThat(connect(leaf, pinned, HOST).failure()).isNull();
  }

  @Test
  void verifyFalseShouldAcceptAnUntrustedCertificateButStillEnforcePins() throws Exception {
    TestPki.Issued untrusted = OTHER_PKI.issue(TestPki.Spec.server("whatever.test"));
    UpstreamTlsSettings insecure =
        new UpstreamTlsSettings(Optional.empty(), false, List.of(), TlsProvider.JDK);
    assertThat(connect(untrusted, insecure, HOST).failure()).isNull();
    UpstreamTlsSettings pinnedOnly =
        new UpstreamTlsSettings(
            Optional.empty(),
            false,
            List.of(CertificateInfo.spkiSha256(PKI.rootCertificate())),
            TlsProvider.JDK);
    assertThat(connect(untrusted, pinnedOnly, HOST).reason())
        .isEqualTo(UpstreamTlsFailure.PIN_MISMATCH);
    UpstreamTlsSettings pinnedRight =
        new UpstreamTlsSettings(
            Optional.empty(),
            false,
            List.of(CertificateInfo.spkiSha256(untrusted.certificate())),
            TlsProvider.JDK);
    assertThat(connect(untrusted, pinnedRight, HOST).failure()).isNull();
  }
}
