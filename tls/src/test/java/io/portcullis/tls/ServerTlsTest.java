package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SNI, hot reload and mutual TLS of a listener, over real loopback connections. */
class ServerTlsTest {
  private static final TestPki PKI = TestPki.newCa("Server Test CA");
  private static final TestPki CLIENT_PKI = TestPki.newCa("Client Test CA");
  private static final TestPki ROGUE_PKI = TestPki.newCa("Rogue Client CA");

  @TempDir Path dir;

  private static ServerTlsSettings settings(
      TlsProvider provider,
      CertificateSource defaultCertificate,
      Map<String, CertificateSource> sni,
      ClientAuthMode clientAuth,
      Optional<Path> clientCas) {
    return new ServerTlsSettings(
        TlsProfile.INTERMEDIATE,
        provider,
        Optional.of(defaultCertificate),
        sni,
        clientAuth,
        clientCas,
        List.of());
  }

  private static ServerTls start(ServerTlsSettings settings, Path dataDir) throws TlsException {
    return ServerTls.start(settings, dataDir, Clock.systemUTC(), Map.of(), Duration.ofMillis(50));
  }

  private static String subjectOf(SSLSocket socket) throws IOException {
    return JdkClient.serverLeaf(socket).getSubjectX500Principal().getName();
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void sniShouldPickTheCertificateForTheRequestedName(TlsProvider provider) throws Exception {
    CertificateSource fallback =
        TestPki.writePem(dir, "default", PKI.issue(TestPki.Spec.server("mail.example.test")));
    CertificateSource imap =
        TestPki.writePem(dir, "imap", PKI.issue(TestPki.Spec.server("imap.example.test")));
    CertificateSource pop =
        TestPki.writePem(dir, "pop", PKI.issue(TestPki.Spec.server("*.pop.example.test")));
    ServerTlsSettings settings =
        settings(
            provider,
            fallback,
            Map.of("imap.example.test", imap, "*.pop.example.test", pop),
            ClientAuthMode.NONE,
            Optional.empty());
    try (ServerTls tls = start(settings, dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      // A fresh client each time: the JDK client resumes a cached session with that session's SNI
      // name.
      SSLContext client = JdkClient.trusting(PKI.rootCertificate());
      try (SSLSocket s =
          JdkClient.handshake(client, server.port(), JdkClient.sni("IMAP.example.test"))) {
        assertThat(subjectOf(s)).isEqualTo("CN=imap.example.test");
        assertThat(JdkClient.echo(s, "a1 NOOP")).isEqualTo("a1 NOOP");
        assertThat(server.handshakes.poll(10, TimeUnit.SECONDS)).isNotNull();
      }
      client = JdkClient.trusting(PKI.rootCertificate());
      try (SSLSocket s =
          JdkClient.handshake(client, server.port(), JdkClient.sni("eu.pop.example.test"))) {
        assertThat(subjectOf(s)).isEqualTo("CN=*.pop.example.test");
      }
      client = JdkClient.trusting(PKI.rootCertificate());
      try (SSLSocket s =
          JdkClient.handshake(client, server.port(), JdkClient.sni("a.b.pop.example.test"))) {
        assertThat(subjectOf(s)).isEqualTo("CN=mail.example.test");
      }
      client = JdkClient.trusting(PKI.rootCertificate());
      try (SSLSocket s = JdkClient.handshake(client, server.port(), p -> {})) {
        assertThat(subjectOf(s)).isEqualTo("CN=mail.example.test");
      }
      assertThat(tls.certificateFor("x.pop.example.test").subject())
          .isEqualTo("CN=*.pop.example.test");
      assertThat(tls.certificateFor("other.test").subject()).isEqualTo("CN=mail.example.test");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void reloadShouldServeTheNewCertificateWithoutDroppingAnOpenConnection(TlsProvider provider)
      throws Exception {
    CertificateSource files =
        TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("old.example.test")));
    SSLContext client = JdkClient.trusting(PKI.rootCertificate());
    try (ServerTls tls =
            start(settings(provider, files, Map.of(), ClientAuthMode.NONE, Optional.empty()), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT));
        SSLSocket open = JdkClient.handshake(client, server.port(), p -> {})) {
      assertThat(JdkClient.echo(open, "before")).isEqualTo("before");

      TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("new.example.test")));
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.RELOADED);

      assertThat(tls.defaultCertificate().subject()).isEqualTo("CN=new.example.test");
      try (SSLSocket fresh = JdkClient.handshake(client, server.port(), p -> {})) {
        assertThat(subjectOf(fresh)).isEqualTo("CN=new.example.test");
      }
      assertThat(JdkClient.echo(open, "after")).isEqualTo("after");
      assertThat(subjectOf(open)).isEqualTo("CN=old.example.test");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void invalidReloadShouldKeepServingThePreviousCertificate(TlsProvider provider) throws Exception {
    CertificateSource files =
        TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("good.example.test")));
    SSLContext client = JdkClient.trusting(PKI.rootCertificate());
    try (ServerTls tls =
            start(settings(provider, files, Map.of(), ClientAuthMode.NONE, Optional.empty()), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      // A renewal that replaced the certificate but not yet the key: must not be used.
      TestPki.writeChain(
          files.certificateChain(), PKI.issue(TestPki.Spec.server("half.example.test")).chain());
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.FAILED);
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.UNCHANGED);

      assertThat(tls.defaultCertificate().subject()).isEqualTo("CN=good.example.test");
      try (SSLSocket s = JdkClient.handshake(client, server.port(), p -> {})) {
        assertThat(subjectOf(s)).isEqualTo("CN=good.example.test");
      }
      // The renewal completes: now it is taken.
      TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("renewed.example.test")));
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.RELOADED);
      try (SSLSocket s = JdkClient.handshake(client, server.port(), p -> {})) {
        assertThat(subjectOf(s)).isEqualTo("CN=renewed.example.test");
      }
    }
  }

  @Test
  void changedFilesShouldBeReloadedByTheWatcher() throws Exception {
    Path certs = java.nio.file.Files.createDirectory(dir.resolve("live"));
    CertificateSource files =
        TestPki.writePem(certs, "server", PKI.issue(TestPki.Spec.server("old.example.test")));
    try (ServerTls tls =
        start(
            settings(TlsProvider.JDK, files, Map.of(), ClientAuthMode.NONE, Optional.empty()),
            dir)) {
      CompletableFuture<ServerTls.ReloadOutcome> reloaded = new CompletableFuture<>();
      tls.addReloadListener(
          outcome -> {
            if (outcome == ServerTls.ReloadOutcome.RELOADED) {
              reloaded.complete(outcome);
            }
          });
      TestPki.writePem(certs, "server", PKI.issue(TestPki.Spec.server("new.example.test")));
      assertThat(reloaded.get(20, TimeUnit.SECONDS)).isEqualTo(ServerTls.ReloadOutcome.RELOADED);
      assertThat(tls.defaultCertificate().subject()).isEqualTo("CN=new.example.test");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void sniCertificateShouldAlsoBeReloaded(TlsProvider provider) throws Exception {
    CertificateSource fallback =
        TestPki.writePem(dir, "default", PKI.issue(TestPki.Spec.server("mail.example.test")));
    CertificateSource imap =
        TestPki.writePem(dir, "imap", PKI.issue(TestPki.Spec.server("imap.example.test")));
    SSLContext client = JdkClient.trusting(PKI.rootCertificate());
    try (ServerTls tls =
            start(
                settings(
                    provider,
                    fallback,
                    Map.of("imap.example.test", imap),
                    ClientAuthMode.NONE,
                    Optional.empty()),
                dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      TestPki.Issued renewed = PKI.issue(TestPki.Spec.server("imap.example.test"));
      TestPki.writePem(dir, "imap", renewed);
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.RELOADED);
      try (SSLSocket s =
          JdkClient.handshake(client, server.port(), JdkClient.sni("imap.example.test"))) {
        assertThat(JdkClient.serverLeaf(s)).isEqualTo(renewed.certificate());
      }
    }
  }

  // ---- session tickets ----

  @Test
  void sessionTicketsShouldResumeUntilTheirKeyHasRotatedOut() throws Exception {
    TestClock clock = new TestClock(java.time.Instant.now());
    CertificateSource files =
        TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("imap.example.test")));
    SSLContext client = JdkClient.trusting(PKI.rootCertificate());
    try (ServerTls tls =
            ServerTls.start(
                settings(
                    TlsProvider.OPENSSL, files, Map.of(), ClientAuthMode.NONE, Optional.empty()),
                dir,
                clock,
                Map.of(),
                ServerTls.DEBOUNCE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      var stats =
          ((io.netty.handler.ssl.OpenSslSessionContext) tls.defaultContext().sessionContext())
              .stats();
      connectAndEcho(client, server.port()); // full handshake; the client keeps its ticket
      connectAndEcho(client, server.port());
      long resumed = stats.ticketKeyResume() + stats.ticketKeyRenew();
      assertThat(resumed).isEqualTo(1);

      clock.advance(TicketKeyRotator.INTERVAL);
      assertThat(tls.tickets().rotateIfDue()).isTrue();
      connectAndEcho(client, server.port()); // the previous key still decrypts
      assertThat(stats.ticketKeyResume() + stats.ticketKeyRenew()).isEqualTo(2);

      clock.advance(TicketKeyRotator.INTERVAL);
      tls.tickets().rotateIfDue();
      clock.advance(TicketKeyRotator.INTERVAL);
      tls.tickets().rotateIfDue();
      connectAndEcho(client, server.port()); // two rotations later the ticket is useless
      assertThat(stats.ticketKeyResume() + stats.ticketKeyRenew()).isEqualTo(2);
      assertThat(stats.ticketKeyFail()).isEqualTo(1);
    }
  }

  private static void connectAndEcho(SSLContext client, int port) throws Exception {
    try (SSLSocket s = JdkClient.handshake(client, port, p -> {})) {
      assertThat(JdkClient.echo(s, "a1 NOOP")).isEqualTo("a1 NOOP");
    }
  }

  // ---- mutual TLS ----

  private ServerTlsSettings mtls(TlsProvider provider, ClientAuthMode mode) throws Exception {
    CertificateSource server =
        TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("imap.example.test")));
    Path cas =
        TestPki.writeChain(dir.resolve("client-ca.pem"), List.of(CLIENT_PKI.rootCertificate()));
    return settings(provider, server, Map.of(), mode, Optional.of(cas));
  }

  private static SSLContext clientWith(TestPki.Issued certificate) throws Exception {
    return JdkClient.context(PKI.rootCertificate(), certificate.key(), certificate.chain());
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void requiredClientCertificateShouldBeVerifiedAndMappedToItsUser(TlsProvider provider)
      throws Exception {
    TestPki.Issued alice = CLIENT_PKI.issue(TestPki.Spec.client("Alice", "alice@example.test"));
    try (ServerTls tls = start(mtls(provider, ClientAuthMode.REQUIRED), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT));
        SSLSocket s = JdkClient.handshake(clientWith(alice), server.port(), p -> {})) {
      assertThat(JdkClient.echo(s, "a1 AUTHENTICATE EXTERNAL"))
          .isEqualTo("a1 AUTHENTICATE EXTERNAL");
      var handler = server.handshakes.poll(10, TimeUnit.SECONDS);
      Optional<X509Certificate> peer = ServerTls.peerCertificate(handler);
      assertThat(peer).contains(alice.certificate());
      assertThat(ClientCertificateMapper.byLocalPartIn("example.test").userFor(peer.get()))
          .contains("alice");
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void requiredClientCertificateMissingShouldFailTheHandshake(TlsProvider provider)
      throws Exception {
    SSLContext anonymous = JdkClient.trusting(PKI.rootCertificate());
    try (ServerTls tls = start(mtls(provider, ClientAuthMode.REQUIRED), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      // With TLS 1.3 the client learns of the refusal only when it next reads.
      assertThatThrownBy(
              () -> {
                try (SSLSocket s = JdkClient.handshake(anonymous, server.port(), p -> {})) {
                  JdkClient.echo(s, "a1 NOOP");
                }
              })
          .isInstanceOf(IOException.class);
      assertThat(server.failures.poll(10, TimeUnit.SECONDS)).isNotNull();
      assertThat(server.handshakes).isEmpty();
      assertThat(server.received()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void clientCertificateFromAnotherCaShouldFailEvenWhenOptional(TlsProvider provider)
      throws Exception {
    TestPki.Issued mallory = ROGUE_PKI.issue(TestPki.Spec.client("Mallory", "alice@example.test"));
    try (ServerTls tls = start(mtls(provider, ClientAuthMode.OPTIONAL), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      assertThatThrownBy(
              () -> {
                try (SSLSocket s =
                    JdkClient.handshake(
                        JdkClient.forcing(PKI.rootCertificate(), mallory.key(), mallory.chain()),
                        server.port(),
                        p -> {})) {
                  JdkClient.echo(s, "a1 NOOP");
                }
              })
          .isInstanceOf(IOException.class);
      assertThat(server.handshakes).isEmpty();
      assertThat(server.received()).isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = TlsProvider.class,
      names = {"OPENSSL", "JDK"})
  void optionalClientCertificateShouldAllowAnonymousClients(TlsProvider provider) throws Exception {
    SSLContext anonymous = JdkClient.trusting(PKI.rootCertificate());
    TestPki.Issued bob = CLIENT_PKI.issue(TestPki.Spec.client("Bob", "bob@example.test"));
    try (ServerTls tls = start(mtls(provider, ClientAuthMode.OPTIONAL), dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      try (SSLSocket s = JdkClient.handshake(anonymous, server.port(), p -> {})) {
        assertThat(JdkClient.echo(s, "a1 NOOP")).isEqualTo("a1 NOOP");
        assertThat(ServerTls.peerCertificate(server.handshakes.poll(10, TimeUnit.SECONDS)))
            .isEmpty();
      }
      try (SSLSocket s = JdkClient.handshake(clientWith(bob), server.port(), p -> {})) {
        assertThat(JdkClient.echo(s, "a2 NOOP")).isEqualTo("a2 NOOP");
        assertThat(ServerTls.peerCertificate(server.handshakes.poll(10, TimeUnit.SECONDS)))
            .contains(bob.certificate());
      }
    }
  }

  @Test
  void clientAuthWithoutCaBundleShouldBeRejectedAtConfiguration() {
    assertThatThrownBy(
            () ->
                new ServerTlsSettings(
                    TlsProfile.INTERMEDIATE,
                    TlsProvider.JDK,
                    Optional.empty(),
                    Map.of(),
                    ClientAuthMode.REQUIRED,
                    Optional.empty(),
                    List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("client-auth");
  }

  @Test
  void sniNameWithWildcardInsideShouldBeRejectedAtConfiguration() {
    CertificateSource any = CertificateSource.pem(dir.resolve("a"), dir.resolve("b"));
    assertThatThrownBy(
            () ->
                ServerTlsSettings.defaults()
                    .withDefaultCertificate(any)
                    .withSni(Map.of("imap.*.example.test", any)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("imap.*.example.test");
  }

  // ---- self-signed default ----

  @Test
  void withoutConfiguredCertificateAGeneratedOneShouldBeServedAndKept() throws Exception {
    ServerTlsSettings defaults =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            TlsProvider.JDK,
            Optional.empty(),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of("mail.example.test"));
    String fingerprint;
    try (ServerTls tls = start(defaults, dir);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      fingerprint = tls.defaultCertificate().sha256Fingerprint();
      assertThat(tls.defaultCertificate().subjectAltNames())
          .contains("DNS:mail.example.test", "DNS:localhost", "IP:127.0.0.1");
      X509Certificate generated =
          KeyMaterialLoader.readCertificates(dir.resolve("tls").resolve("cert.pem")).get(0);
      try (SSLSocket s =
          JdkClient.handshake(JdkClient.trusting(generated), server.port(), p -> {})) {
        assertThat(JdkClient.serverLeaf(s)).isEqualTo(generated);
      }
    }
    try (ServerTls again = start(defaults, dir)) {
      assertThat(again.defaultCertificate().sha256Fingerprint()).isEqualTo(fingerprint);
    }
  }
}
