package io.portcullis.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Self-signed ECDSA P-256 certificates with SANs for the configured host names plus localhost,
 * 127.0.0.1 and ::1; persisted as {@code cert.pem} and {@code key.pem} (0600), each written
 * atomically. Stateless; concurrent callers for one directory may both generate, and the last
 * rename wins.
 */
public final class SelfSignedCertificates {
  /** File name of the generated certificate inside the directory. */
  public static final String CERTIFICATE_FILE = "cert.pem";

  /** File name of the generated PKCS#8 private key inside the directory. */
  public static final String KEY_FILE = "key.pem";

  /** Validity of a generated certificate: one year, under the 398 days that browsers accept. */
  static final Duration VALIDITY = Duration.ofDays(365);

  /** A certificate closer than this to expiry, or missing a host name, is regenerated at load. */
  static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private static final Logger LOG = LoggerFactory.getLogger(SelfSignedCertificates.class);

  private SelfSignedCertificates() {}

  /**
   * Loads the certificate in {@code dir}, or generates one when it is absent, unreadable, expiring
   * within 30 days or missing one of {@code hostNames}.
   *
   * @throws TlsException when the directory cannot be created or written
   */
  public static CertificateSource loadOrGenerate(Path dir, List<String> hostNames, Clock clock)
      throws TlsException {
    Set<String> names = names(hostNames);
    CertificateSource source =
        CertificateSource.pem(dir.resolve(CERTIFICATE_FILE), dir.resolve(KEY_FILE));
    if (Files.exists(source.certificateChain()) && Files.exists(source.privateKey())) {
      try {
        KeyMaterial existing = KeyMaterialLoader.load(source, Map.of());
        CertificateInfo info = CertificateInfo.of(existing.leaf());
        if (!info.expiresWithin(RENEW_BEFORE, clock)
            && info.subjectAltNames().containsAll(sanStrings(names))) {
          return source;
        }
        LOG.info(
            "Self-signed certificate in {} is expiring or lacks a host name; regenerating", dir);
      } catch (TlsException e) {
        LOG.warn(
            "Self-signed certificate in {} is unusable ({}); regenerating", dir, e.getMessage());
      }
    }
    generate(dir, List.copyOf(names), clock);
    return source;
  }

  /**
   * Generates a new self-signed certificate in {@code dir}, replacing any there.
   *
   * @throws TlsException when the directory cannot be created or written
   */
  public static CertificateSource generate(Path dir, List<String> hostNames, Clock clock)
      throws TlsException {
    Set<String> names = names(hostNames);
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair pair = generator.generateKeyPair();
      X509Certificate certificate = selfSign(pair, names, clock);
      createPrivateDirectory(dir);
      StringWriter keyPem = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(keyPem)) {
        writer.writeObject(new JcaPKCS8Generator(pair.getPrivate(), null));
      }
      StringWriter certPem = new StringWriter();
      try (JcaPEMWriter writer = new JcaPEMWriter(certPem)) {
        writer.writeObject(certificate);
      }
      // Key first: a reader that sees the new certificate always finds the matching key.
      writeAtomically(dir.resolve(KEY_FILE), keyPem.toString(), "rw-------");
      writeAtomically(dir.resolve(CERTIFICATE_FILE), certPem.toString(), "rw-r--r--");
      LOG.info(
          "Generated self-signed certificate in {} for {} (SHA-256 {})",
          dir,
          names,
          CertificateInfo.of(certificate).sha256Fingerprint());
      return CertificateSource.pem(dir.resolve(CERTIFICATE_FILE), dir.resolve(KEY_FILE));
    } catch (IOException e) {
      throw new TlsException(dir + ": cannot write self-signed certificate (" + e + ")", e);
    } catch (GeneralSecurityException | OperatorCreationException e) {
      throw new TlsException(dir + ": cannot generate self-signed certificate", e);
    }
  }

  private static X509Certificate selfSign(KeyPair pair, Set<String> names, Clock clock)
      throws GeneralSecurityException, OperatorCreationException, IOException {
    Instant now = clock.instant();
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "Portcullis self-signed")
            .addRDN(BCStyle.CN, names.iterator().next())
            .build();
    byte[] serial = new byte[16];
    new SecureRandom().nextBytes(serial);
    List<GeneralName> sans = new ArrayList<>();
    for (String name : names) {
      sans.add(
          isIpLiteral(name)
              ? new GeneralName(GeneralName.iPAddress, name)
              : new GeneralName(GeneralName.dNSName, name));
    }
    JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
    var builder =
        new JcaX509v3CertificateBuilder(
                subject,
                new BigInteger(1, serial),
                Date.from(now.minus(Duration.ofHours(1))), // tolerate small clock skew on clients
                Date.from(now.plus(VALIDITY)),
                subject,
                pair.getPublic())
            .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
            .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
            .addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
            .addExtension(
                Extension.subjectAlternativeName,
                false,
                new GeneralNames(sans.toArray(GeneralName[]::new)))
            .addExtension(
                Extension.subjectKeyIdentifier,
                false,
                extensions.createSubjectKeyIdentifier(pair.getPublic()));
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static Set<String> names(List<String> hostNames) {
    Set<String> names = new LinkedHashSet<>();
    for (String name : hostNames) {
      String n = name.strip().toLowerCase(Locale.ROOT);
      if (n.startsWith("[") && n.endsWith("]")) {
        n = n.substring(1, n.length() - 1);
      }
      if (!n.isEmpty()) {
        names.add(n);
      }
    }
    names.add("localhost");
    names.add("127.0.0.1");
    names.add("::1");
    return names;
  }

  private static List<String> sanStrings(Set<String> names) {
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (isIpLiteral(name)) {
        try {
          // Match the JDK's rendering of IP SANs (e.g. "0:0:0:0:0:0:0:1").
          out.add("IP:" + InetAddress.getByName(name).getHostAddress());
        } catch (IOException e) {
          out.add("IP:" + name);
        }
      } else {
        out.add("DNS:" + name);
      }
    }
    return out;
  }

  static boolean isIpLiteral(String name) {
    return name.contains(":") || name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        // Created concurrently; fine.
      } catch (UnsupportedOperationException e) {
        Files.createDirectories(dir);
      }
    }
  }

  private static void writeAtomically(Path target, String content, String permissions)
      throws IOException {
    Path temp;
    try {
      temp =
          Files.createTempFile(
              target.getParent(),
              "." + target.getFileName(),
              ".tmp",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(permissions)));
    } catch (UnsupportedOperationException e) {
      temp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
    }
    try {
      Files.writeString(temp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
