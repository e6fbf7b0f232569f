package io.portcullis.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
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
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test CAs and certificates made with Bouncy Castle; writes them in the formats operators use. */
final class TestPki {
  private static final AtomicLong SERIAL = new AtomicLong(1000);

  enum KeyType {
    EC,
    RSA,
    ED25519
  }

  /** A certificate, its key, and the chain up to (not including) the root. */
  record Issued(X509Certificate certificate, PrivateKey key, List<X509Certificate> chain) {}

  /** What to put into a certificate. */
  record Spec(
      String commonName,
      List<String> dnsNames,
      List<String> ipAddresses,
      List<String> emails,
      Instant notBefore,
      Instant notAfter,
      KeyType keyType,
      boolean ca,
      KeyPurposeId purpose) {

    static Spec server(String... dnsNames) {
      Instant now = Instant.now();
      return new Spec(
          dnsNames.length > 0 ? dnsNames[0] : "server",
          List.of(dnsNames),
          List.of(),
          List.of(),
          now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(90)),
          KeyType.EC,
          false,
          KeyPurposeId.id_kp_serverAuth);
    }

    static Spec client(String commonName, String... emails) {
      Instant now = Instant.now();
      return new Spec(
          commonName,
          List.of(),
          List.of(),
          List.of(emails),
          now.minus(Duration.ofDays(1)),
          now.plus(Duration.ofDays(90)),
          KeyType.EC,
          false,
          KeyPurposeId.id_kp_clientAuth);
    }

    Spec withIps(String... ips) {
      return new Spec(
          commonName, dnsNames, List.of(ips), emails, notBefore, notAfter, keyType, ca, purpose);
    }

    Spec withValidity(Instant from, Instant to) {
      return new Spec(commonName, dnsNames, ipAddresses, emails, from, to, keyType, ca, purpose);
    }

    Spec withKeyType(KeyType type) {
      return new Spec(
          commonName, dnsNames, ipAddresses, emails, notBefore, notAfter, type, ca, purpose);
    }

    Spec asCa() {
      return new Spec(
          commonName, dnsNames, ipAddresses, emails, notBefore, notAfter, keyType, true, null);
    }
  }

  private final Issued root;

  private TestPki(Issued root) {
    this.root = root;
  }

  /** A fresh root CA. */
  static TestPki newCa(String name) {
    Instant now = Instant.now();
    Spec spec =
        new Spec(
                name,
                List.of(),
                List.of(),
                List.of(),
                now.minus(Duration.ofDays(10)),
                now.plus(Duration.ofDays(3650)),
                KeyType.EC,
                true,
                null)
            .asCa();
    KeyPair pair = keyPair(spec.keyType());
    return new TestPki(
        new Issued(
            sign(spec, pair, new X500Name("CN=" + name), pair.getPrivate()),
            pair.getPrivate(),
            List.of()));
  }

  X509Certificate rootCertificate() {
    return root.certificate();
  }

  /** A certificate signed by the root. */
  Issued issue(Spec spec) {
    return issueUnder(root, spec);
  }

  /**
   * A certificate signed by {@code issuer} (an intermediate made with {@code issue(spec.asCa())}).
   */
  Issued issueUnder(Issued issuer, Spec spec) {
    KeyPair pair = keyPair(spec.keyType());
    X500Name issuerName =
        X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
    X509Certificate certificate = sign(spec, pair, issuerName, issuer.key());
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(certificate);
    if (issuer != root) {
      chain.addAll(issuer.chain());
    }
    return new Issued(certificate, pair.getPrivate(), List.copyOf(chain));
  }

  static KeyPair keyPair(KeyType type) {
    try {
      return switch (type) {
        case EC -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
          g.initialize(new ECGenParameterSpec("secp256r1"));
          yield g.generateKeyPair();
        }
        case RSA -> {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
          g.initialize(2048);
          yield g.generateKeyPair();
        }
        case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static X509Certificate sign(
      Spec spec, KeyPair pair, X500Name issuer, PrivateKey issuerKey) {
    try {
      List<GeneralName> sans = new ArrayList<>();
      spec.dnsNames().forEach(n -> sans.add(new GeneralName(GeneralName.dNSName, n)));
      spec.ipAddresses().forEach(n -> sans.add(new GeneralName(GeneralName.iPAddress, n)));
      spec.emails().forEach(n -> sans.add(new GeneralName(GeneralName.rfc822Name, n)));
      var builder =
          new JcaX509v3CertificateBuilder(
              issuer,
              BigInteger.valueOf(SERIAL.incrementAndGet()),
              Date.from(spec.notBefore()),
              Date.from(spec.notAfter()),
              new X500Name("CN=" + spec.commonName()),
              pair.getPublic());
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(spec.ca()));
      if (spec.ca()) {
        builder.addExtension(
            Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      } else {
        int usage = KeyUsage.digitalSignature;
        if (spec.keyType() == KeyType.RSA) {
          usage |= KeyUsage.keyEncipherment; // lets the RSA-kex test reach the cipher decision
        }
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
        builder.addExtension(
            Extension.extendedKeyUsage, false, new ExtendedKeyUsage(spec.purpose()));
        // A CRL location, as public CAs include (scanners flag its absence); never fetched in
        // tests.
        builder.addExtension(
            Extension.cRLDistributionPoints,
            false,
            new org.bouncycastle.asn1.x509.CRLDistPoint(
                new org.bouncycastle.asn1.x509.DistributionPoint[] {
                  new org.bouncycastle.asn1.x509.DistributionPoint(
                      new org.bouncycastle.asn1.x509.DistributionPointName(
                          new GeneralNames(
                              new GeneralName(
                                  GeneralName.uniformResourceIdentifier,
                                  "http://crl.example.invalid/test.crl"))),
                      null,
                      null)
                }));
      }
      if (!sans.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      String algorithm =
          switch (issuerKey.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> "SHA256withECDSA";
          };
      return new JcaX509CertificateConverter()
          .getCertificate(builder.build(new JcaContentSignerBuilder(algorithm).build(issuerKey)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  // ---- writing files ----

  static Path writeChain(Path file, List<X509Certificate> chain) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate c : chain) {
        writer.writeObject(c);
      }
    }
    return write(file, out.toString());
  }

  /** PKCS#8 "PRIVATE KEY". */
  static Path writePkcs8(Path file, PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    return write(file, out.toString());
  }

  /** Traditional OpenSSL form: PKCS#1 "RSA PRIVATE KEY" or SEC1 "EC PRIVATE KEY". */
  static Path writeTraditional(Path file, PrivateKey key) throws Exception {
    // Through Bouncy Castle's own key classes: like OpenSSL, they put the curve into SEC1 keys.
    PrivateKey bcKey =
        java.security.KeyFactory.getInstance(key.getAlgorithm(), KeyMaterialLoader.BC)
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaMiscPEMGenerator(bcKey));
    }
    return write(file, out.toString());
  }

  /** Encrypted PKCS#8 "ENCRYPTED PRIVATE KEY" (PBES2, AES-256-CBC). */
  static Path writeEncryptedPkcs8(Path file, PrivateKey key, String passphrase) throws Exception {
    var encryptor =
        new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
            .setProvider(KeyMaterialLoader.BC)
            .setPassword(passphrase.toCharArray())
            .build();
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, encryptor));
    }
    return write(file, out.toString());
  }

  /** Legacy OpenSSL encrypted PEM ("Proc-Type: 4,ENCRYPTED", AES-256-CBC). */
  static Path writeLegacyEncrypted(Path file, PrivateKey key, String passphrase) throws Exception {
    PrivateKey bcKey =
        java.security.KeyFactory.getInstance(key.getAlgorithm(), KeyMaterialLoader.BC)
            .generatePrivate(new java.security.spec.PKCS8EncodedKeySpec(key.getEncoded()));
    var encryptor =
        new org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder("AES-256-CBC")
            .setProvider(KeyMaterialLoader.BC)
            .build(passphrase.toCharArray());
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaMiscPEMGenerator(bcKey, encryptor));
    }
    return write(file, out.toString());
  }

  static Path writePkcs12(Path file, Issued issued, String passphrase) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry(
        "server",
        issued.key(),
        passphrase.toCharArray(),
        issued.chain().toArray(X509Certificate[]::new));
    try (OutputStream out = Files.newOutputStream(file)) {
      store.store(out, passphrase.toCharArray());
    }
    return file;
  }

  /** Writes chain to {@code dir/name.crt} and PKCS#8 key to {@code dir/name.key}. */
  static CertificateSource writePem(Path dir, String name, Issued issued) throws IOException {
    return CertificateSource.pem(
        writeChain(dir.resolve(name + ".crt"), issued.chain()),
        writePkcs8(dir.resolve(name + ".key"), issued.key()));
  }

  static Path write(Path file, String content) throws IOException {
    Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".w", ".tmp");
    Files.writeString(temp, content, StandardCharsets.US_ASCII);
    return Files.move(
        temp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }
}
