package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.auth.Secret;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.gateway.testing.LineClient;
import java.io.InputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SASL EXTERNAL (RFC 4422 appendix A) with a verified TLS client certificate, POP3 and IMAP. */
class Pop3ExternalAuthenticationTest {
  private static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");
  private static final Endpoint IMAPS = Endpoint.parse("imaps://127.0.0.1:0");

  @TempDir Path dataDir;
  private GreenMail greenMail;
  private GatewayServer gateway;
  private SSLSocketFactory withCertificate;
  private SSLSocketFactory withoutCertificate;
  private AuthConfig gatewayAuth;

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort(),
              new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()
            });
    greenMail.start();
    greenMail.setUser("mbox@localhost", "mbox", "mbox-pw");
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(256);
    KeyPair caKey = ec.generateKeyPair();
    X509Certificate ca = caCertificate(caKey);
    Path clientCa = dataDir.resolve("client-ca.pem");
    try (Writer w = Files.newBufferedWriter(clientCa);
        JcaPEMWriter pem = new JcaPEMWriter(w)) {
      pem.writeObject(ca);
    }
    KeyPair clientKey = ec.generateKeyPair();
    X509Certificate client = clientCertificate(ca, caKey, clientKey, "carol@example.com");

    AuthConfig auth =
        new AuthConfig(
            "local",
            dataDir.resolve("users.yml"),
            dataDir.resolve("master.key"),
            new AuthConfig.SecondFactorConfig("none", null, null),
            null,
            null,
            null,
            null);
    gatewayAuth = auth;
    var settings = auth.toSettings(dataDir);
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(settings.usersFile()),
              hasher,
              new SecretBox(
                  MasterKey.generate(settings.keyFile().orElseThrow(), new SecureRandom())),
              settings.totp(),
              Clock.systemUTC(),
              e -> {});
      admin.add("carol@example.com", Secret.of("unused-password"), Set.of());
      admin.mapUpstream(
          "carol@example.com", "mbox", Optional.of(Secret.of("mbox-pw")), Optional.empty());
    }
    gateway =
        GatewayServer.start(
            new GatewayConfig(
                dataDir,
                List.of(
                    new ListenerConfig(
                        POP3S, null, new ListenerConfig.ListenerTlsConfig("optional", clientCa)),
                    new ListenerConfig(
                        IMAPS, null, new ListenerConfig.ListenerTlsConfig("optional", clientCa))),
                List.of(
                    new UpstreamConfig(
                        Endpoint.parse("pop3://127.0.0.1:" + greenMail.getPop3().getPort()), null),
                    new UpstreamConfig(
                        Endpoint.parse("imap://127.0.0.1:" + greenMail.getImap().getPort()), null)),
                null,
                null,
                false,
                auth,
                null),
            Clock.systemUTC());
    withCertificate = socketFactory(client, clientKey);
    withoutCertificate = socketFactory(null, null);
  }

  @AfterEach
  void stop() {
    gateway.close();
    greenMail.stop();
  }

  @Test
  void externalShouldBeOfferedAndLogInWithAVerifiedClientCertificate() throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(POP3S), withCertificate)) {
      c.readLine();
      c.send("CAPA\r\n");
      c.readLine();
      assertThat(c.readMultiLine()).anyMatch(l -> l.startsWith("SASL") && l.contains("EXTERNAL"));
      c.send("AUTH EXTERNAL =\r\nSTAT\r\n");
      assertThat(c.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(c.readLine()).startsWith("+OK 0 ");
    }
  }

  @Test
  void imapAuthenticateExternalShouldLogInWithTheCertificateOnly() throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(IMAPS), withCertificate)) {
      assertThat(c.readLine()).contains("AUTH=EXTERNAL");
      c.send("a AUTHENTICATE EXTERNAL =\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
    }
    try (LineClient c = LineClient.tls(gateway.boundAddress(IMAPS), withoutCertificate)) {
      assertThat(c.readLine()).doesNotContain("AUTH=EXTERNAL");
      c.send("a AUTHENTICATE EXTERNAL =\r\n");
      assertThat(c.readLine()).startsWith("a NO");
    }
  }

  @Test
  void aListenerWithAUserDomainShouldMapTheCertificateToTheLocalPart() throws Exception {
    Endpoint domainListener = Endpoint.parse("pop3s://127.0.0.1:0");
    GatewayConfig config =
        new GatewayConfig(
            dataDir,
            List.of(
                new ListenerConfig(
                    domainListener,
                    null,
                    new ListenerConfig.ListenerTlsConfig(
                        "optional", dataDir.resolve("client-ca.pem"), "example.com"))),
            List.of(
                new UpstreamConfig(
                    Endpoint.parse("pop3://127.0.0.1:" + greenMail.getPop3().getPort()), null)),
            null,
            null,
            false,
            gatewayAuth,
            null);
    try (GatewayServer other = GatewayServer.start(config, Clock.systemUTC());
        LineClient c = LineClient.tls(other.boundAddress(domainListener), withCertificate)) {
      c.readLine();
      // The directory knows "carol@example.com", not "carol": the local part does not log in.
      c.send("AUTH EXTERNAL =\r\n");
      assertThat(c.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
  }

  @Test
  void externalShouldBeNeitherOfferedNorAcceptedWithoutACertificate() throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(POP3S), withoutCertificate)) {
      c.readLine();
      c.send("CAPA\r\n");
      c.readLine();
      assertThat(c.readMultiLine()).noneMatch(l -> l.contains("EXTERNAL"));
      c.send("AUTH EXTERNAL =\r\n");
      assertThat(c.readLine()).isEqualTo(Pop3Reply.MECHANISM_UNSUPPORTED.text());
    }
  }

  @Test
  void externalForAnotherIdentityThanTheCertificateShouldFail() throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(POP3S), withCertificate)) {
      c.readLine();
      c.send(
          "AUTH EXTERNAL "
              + java.util.Base64.getEncoder()
                  .encodeToString(
                      "mallory@example.com".getBytes(java.nio.charset.StandardCharsets.UTF_8))
              + "\r\n");
      assertThat(c.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
  }

  private SSLSocketFactory socketFactory(X509Certificate cert, KeyPair key) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(dataDir.resolve("tls").resolve("cert.pem"))) {
      trust.setCertificateEntry(
          "gateway", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    if (cert != null) {
      keys.setKeyEntry("client", key.getPrivate(), new char[0], new X509Certificate[] {cert});
    }
    kmf.init(keys, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return ctx.getSocketFactory();
  }

  private static X509Certificate caCertificate(KeyPair key) throws Exception {
    X500Name name = new X500Name("CN=Portcullis test client CA");
    var builder =
        new JcaX509v3CertificateBuilder(
            name, BigInteger.ONE, from(), until(), name, key.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
    builder.addExtension(
        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
    return sign(builder, key);
  }

  private static X509Certificate clientCertificate(
      X509Certificate ca, KeyPair caKey, KeyPair key, String email) throws Exception {
    var builder =
        new JcaX509v3CertificateBuilder(
            ca, BigInteger.TWO, from(), until(), new X500Principal("CN=carol"), key.getPublic());
    builder.addExtension(
        Extension.subjectAlternativeName,
        false,
        new GeneralNames(new GeneralName(GeneralName.rfc822Name, email)));
    builder.addExtension(
        Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
    builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
    return sign(builder, caKey);
  }

  private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer)
      throws Exception {
    return new JcaX509CertificateConverter()
        .getCertificate(
            builder.build(
                new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
  }

  private static Date from() {
    return Date.from(Instant.now().minusSeconds(3600));
  }

  private static Date until() {
    return Date.from(Instant.now().plusSeconds(86_400));
  }
}
