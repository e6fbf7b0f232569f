package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SelfSignedCertificatesTest {
  @TempDir Path dir;

  private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));

  @Test
  void generateShouldWriteAnEcdsaP256CertificateWithAllNamesAndAPrivateKey() throws Exception {
    CertificateSource source =
        SelfSignedCertificates.loadOrGenerate(
            dir.resolve("tls"), List.of("Mail.Example.Test"), clock);
    KeyMaterial material = KeyMaterialLoader.load(source, Map.of());
    X509Certificate certificate = material.leaf();
    assertThat(certificate.getPublicKey().getAlgorithm()).isEqualTo("EC");
    assertThat(certificate.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(CertificateInfo.of(certificate).subjectAltNames())
        .containsExactly(
            "DNS:mail.example.test", "DNS:localhost", "IP:127.0.0.1", "IP:0:0:0:0:0:0:0:1");
    assertThat(certificate.getBasicConstraints()).isEqualTo(-1);
    assertThat(certificate.getNotAfter().toInstant())
        .isEqualTo(clock.instant().plus(SelfSignedCertificates.VALIDITY));
    assertThat(Files.getPosixFilePermissions(source.privateKey()))
        .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    assertThat(Files.getPosixFilePermissions(dir.resolve("tls")))
        .doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_READ);
    try (var leftovers = Files.list(dir.resolve("tls"))) {
      assertThat(leftovers.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("cert.pem", "key.pem");
    }
  }

  @Test
  void loadOrGenerateShouldKeepAValidCertificate() throws Exception {
    CertificateSource first = SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock);
    String fingerprint = fingerprint(first);
    clock.advance(Duration.ofDays(300));
    assertThat(fingerprint(SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock)))
        .isEqualTo(fingerprint);
  }

  @Test
  void loadOrGenerateShouldRenewACertificateWithin30DaysOfExpiry() throws Exception {
    String fingerprint =
        fingerprint(SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock));
    clock.advance(SelfSignedCertificates.VALIDITY.minus(Duration.ofDays(29)));
    assertThat(fingerprint(SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock)))
        .isNotEqualTo(fingerprint);
  }

  @Test
  void loadOrGenerateShouldRegenerateWhenAHostNameWasAdded() throws Exception {
    String fingerprint =
        fingerprint(SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock));
    CertificateSource again =
        SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test", "b.test"), clock);
    assertThat(fingerprint(again)).isNotEqualTo(fingerprint);
    assertThat(CertificateInfo.of(KeyMaterialLoader.load(again, Map.of()).leaf()).subjectAltNames())
        .contains("DNS:b.test");
  }

  @Test
  void loadOrGenerateShouldReplaceACorruptedKey() throws Exception {
    CertificateSource first = SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock);
    Files.writeString(first.privateKey(), "garbage");
    CertificateSource again = SelfSignedCertificates.loadOrGenerate(dir, List.of("a.test"), clock);
    assertThat(KeyMaterialLoader.load(again, Map.of()).leaf()).isNotNull();
  }

  private static String fingerprint(CertificateSource source) throws TlsException {
    return CertificateInfo.of(KeyMaterialLoader.load(source, Map.of()).leaf()).sha256Fingerprint();
  }
}
