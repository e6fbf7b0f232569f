package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class CertificateInfoTest {
  private static final TestPki PKI = TestPki.newCa("Info Test CA");

  @Test
  void ofShouldDescribeSubjectNamesIssuerValidityAndFingerprints() throws Exception {
    Instant from = Instant.parse("2026-01-01T00:00:00Z");
    Instant to = Instant.parse("2026-04-01T00:00:00Z");
    TestPki.Issued issued =
        PKI.issue(
            TestPki.Spec.server("imap.example.test", "pop.example.test")
                .withIps("192.0.2.7")
                .withValidity(from, to));
    CertificateInfo info = CertificateInfo.of(issued.certificate());

    assertThat(info.subject()).isEqualTo("CN=imap.example.test");
    assertThat(info.issuer()).isEqualTo("CN=Info Test CA");
    assertThat(info.subjectAltNames())
        .containsExactly("DNS:imap.example.test", "DNS:pop.example.test", "IP:192.0.2.7");
    assertThat(info.notBefore()).isEqualTo(from);
    assertThat(info.notAfter()).isEqualTo(to);
    byte[] der = MessageDigest.getInstance("SHA-256").digest(issued.certificate().getEncoded());
    assertThat(info.sha256Fingerprint())
        .isEqualTo(HexFormat.ofDelimiter(":").withUpperCase().formatHex(der))
        .matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    byte[] spki =
        MessageDigest.getInstance("SHA-256")
            .digest(issued.certificate().getPublicKey().getEncoded());
    assertThat(info.spkiSha256()).isEqualTo(Base64.getEncoder().encodeToString(spki));
  }

  @Test
  void expiresWithinShouldBeTrueInsideTheWarningWindowAndAfterExpiry() {
    Instant to = Instant.parse("2026-04-01T00:00:00Z");
    CertificateInfo info =
        CertificateInfo.of(
            PKI.issue(TestPki.Spec.server("a.test").withValidity(to.minus(Duration.ofDays(90)), to))
                .certificate());
    TestClock clock = new TestClock(to.minus(Duration.ofDays(31)));
    assertThat(info.expiresWithin(ServerTls.EXPIRY_WARNING, clock)).isFalse();
    clock.advance(Duration.ofDays(2));
    assertThat(info.expiresWithin(ServerTls.EXPIRY_WARNING, clock)).isTrue();
    clock.advance(Duration.ofDays(60));
    assertThat(info.expiresWithin(ServerTls.EXPIRY_WARNING, clock)).isTrue();
    assertThat(info.isOutsideValidity(clock)).isTrue();
  }
}
