package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key and certificate formats operators bring, and the errors they get when something is wrong. */
class KeyMaterialLoaderTest {
  private static final TestPki PKI = TestPki.newCa("Loader Test CA");

  @TempDir Path dir;

  private KeyMaterial load(CertificateSource source) throws TlsException {
    return KeyMaterialLoader.load(source, Map.of("MAIL_KEY_PASS", "s3cret-env"));
  }

  @Test
  void pkcs8EcKeyShouldLoadWithItsChain() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    KeyMaterial material = load(TestPki.writePem(dir, "ec", issued));
    assertThat(material.leaf()).isEqualTo(issued.certificate());
    assertThat(material.key().getAlgorithm()).isEqualTo("EC");
  }

  @Test
  void pkcs1RsaKeyShouldLoad() throws Exception {
    TestPki.Issued issued =
        PKI.issue(TestPki.Spec.server("mail.example.test").withKeyType(TestPki.KeyType.RSA));
    Path key = TestPki.writeTraditional(dir.resolve("rsa.key"), issued.key());
    assertThat(Files.readString(key)).contains("BEGIN RSA PRIVATE KEY");
    Path chain = TestPki.writeChain(dir.resolve("rsa.crt"), issued.chain());
    assertThat(load(CertificateSource.pem(chain, key)).key().getAlgorithm()).isEqualTo("RSA");
  }

  @Test
  void sec1EcKeyShouldLoad() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeTraditional(dir.resolve("ec.key"), issued.key());
    assertThat(Files.readString(key)).contains("BEGIN EC PRIVATE KEY");
    Path chain = TestPki.writeChain(dir.resolve("ec.crt"), issued.chain());
    assertThat(load(CertificateSource.pem(chain, key)).leaf()).isEqualTo(issued.certificate());
  }

  @Test
  void ed25519KeyShouldLoad() throws Exception {
    TestPki.Issued issued =
        PKI.issue(TestPki.Spec.server("mail.example.test").withKeyType(TestPki.KeyType.ED25519));
    assertThat(load(TestPki.writePem(dir, "ed", issued)).key().getAlgorithm())
        .isIn("Ed25519", "EdDSA");
  }

  @Test
  void encryptedPkcs8ShouldLoadWithPassphraseFromFile() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("enc.key"), issued.key(), "s3cret-file");
    assertThat(Files.readString(key)).contains("BEGIN ENCRYPTED PRIVATE KEY");
    Path pass = TestPki.write(dir.resolve("pass.txt"), "s3cret-file\n");
    Path chain = TestPki.writeChain(dir.resolve("enc.crt"), issued.chain());
    CertificateSource source = new CertificateSource(chain, key, Optional.of("file:" + pass));
    assertThat(load(source).leaf()).isEqualTo(issued.certificate());
  }

  @Test
  void encryptedPkcs8ShouldLoadWithPassphraseFromEnvironment() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("enc.key"), issued.key(), "s3cret-env");
    Path chain = TestPki.writeChain(dir.resolve("enc.crt"), issued.chain());
    CertificateSource source = new CertificateSource(chain, key, Optional.of("env:MAIL_KEY_PASS"));
    assertThat(load(source).leaf()).isEqualTo(issued.certificate());
  }

  @Test
  void legacyEncryptedPemKeyShouldLoad() throws Exception {
    TestPki.Issued issued =
        PKI.issue(TestPki.Spec.server("mail.example.test").withKeyType(TestPki.KeyType.RSA));
    Path key = TestPki.writeLegacyEncrypted(dir.resolve("legacy.key"), issued.key(), "s3cret-env");
    assertThat(Files.readString(key)).contains("Proc-Type: 4,ENCRYPTED");
    Path chain = TestPki.writeChain(dir.resolve("legacy.crt"), issued.chain());
    CertificateSource source = new CertificateSource(chain, key, Optional.of("env:MAIL_KEY_PASS"));
    assertThat(load(source).leaf()).isEqualTo(issued.certificate());
  }

  @Test
  void wrongPassphraseShouldNameTheFileAndNotThePassphrase() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("enc.key"), issued.key(), "right-one");
    Path chain = TestPki.writeChain(dir.resolve("enc.crt"), issued.chain());
    CertificateSource source = new CertificateSource(chain, key, Optional.of("env:MAIL_KEY_PASS"));
    assertThatThrownBy(() -> load(source))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("cannot decrypt")
        .hasMessageNotContaining("s3cret-env")
        .hasMessageNotContaining("right-one");
  }

  @Test
  void encryptedKeyWithoutPassphraseSourceShouldSaySo() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("enc.key"), issued.key(), "pw");
    Path chain = TestPki.writeChain(dir.resolve("enc.crt"), issued.chain());
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .hasMessageContaining("key is encrypted but no passphrase source");
  }

  @Test
  void missingEnvironmentVariableShouldNameIt() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("enc.key"), issued.key(), "pw");
    Path chain = TestPki.writeChain(dir.resolve("enc.crt"), issued.chain());
    CertificateSource source = new CertificateSource(chain, key, Optional.of("env:NOT_SET_HERE"));
    assertThatThrownBy(() -> load(source)).hasMessageContaining("NOT_SET_HERE");
  }

  @Test
  void pkcs12KeystoreShouldLoad() throws Exception {
    TestPki.Issued intermediate = PKI.issue(TestPki.Spec.server("Intermediate").asCa());
    TestPki.Issued issued = PKI.issueUnder(intermediate, TestPki.Spec.server("mail.example.test"));
    Path p12 = TestPki.writePkcs12(dir.resolve("server.p12"), issued, "p12-pass");
    Path pass = TestPki.write(dir.resolve("p12.pass"), "p12-pass");
    KeyMaterial material = load(CertificateSource.pkcs12(p12, "file:" + pass));
    assertThat(material.chain()).containsExactly(issued.certificate(), intermediate.certificate());
  }

  @Test
  void pkcs12WithWrongPassphraseShouldNameTheFile() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path p12 = TestPki.writePkcs12(dir.resolve("server.p12"), issued, "p12-pass");
    assertThatThrownBy(() -> load(CertificateSource.pkcs12(p12, "env:MAIL_KEY_PASS")))
        .hasMessageContaining(p12.toString())
        .hasMessageContaining("PKCS#12");
  }

  @Test
  void keyOfAnotherCertificateShouldBeRejected() throws Exception {
    TestPki.Issued one = PKI.issue(TestPki.Spec.server("one.example.test"));
    TestPki.Issued two = PKI.issue(TestPki.Spec.server("two.example.test"));
    Path chain = TestPki.writeChain(dir.resolve("one.crt"), one.chain());
    Path key = TestPki.writePkcs8(dir.resolve("two.key"), two.key());
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining(key.toString())
        .hasMessageContaining("key does not match certificate")
        .hasMessageContaining("CN=one.example.test");
  }

  @Test
  void chainWithIntermediateFirstShouldBeReportedOutOfOrder() throws Exception {
    TestPki.Issued intermediate = PKI.issue(TestPki.Spec.server("Intermediate").asCa());
    TestPki.Issued leaf = PKI.issueUnder(intermediate, TestPki.Spec.server("mail.example.test"));
    Path chain =
        TestPki.writeChain(
            dir.resolve("reversed.crt"), List.of(intermediate.certificate(), leaf.certificate()));
    Path key = TestPki.writePkcs8(dir.resolve("leaf.key"), leaf.key());
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .hasMessageContaining(chain.toString())
        .hasMessageContaining("chain out of order");
  }

  @Test
  void chainWithForeignIntermediateShouldBeReportedOutOfOrder() throws Exception {
    TestPki.Issued leaf = PKI.issue(TestPki.Spec.server("mail.example.test"));
    TestPki.Issued unrelated = PKI.issue(TestPki.Spec.server("Unrelated").asCa());
    Path chain =
        TestPki.writeChain(
            dir.resolve("mixed.crt"), List.of(leaf.certificate(), unrelated.certificate()));
    Path key = TestPki.writePkcs8(dir.resolve("leaf.key"), leaf.key());
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .hasMessageContaining("chain out of order: certificate #1")
        .hasMessageContaining("is not issued by the next one");
  }

  @Test
  void emptyCertificateFileShouldSaySo() throws Exception {
    Path chain = TestPki.write(dir.resolve("empty.crt"), "");
    Path key = TestPki.write(dir.resolve("any.key"), "");
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .hasMessage(chain + ": file is empty");
  }

  @Test
  void keyFileGivenAsCertificateShouldSayItIsNotACertificate() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    Path key = TestPki.writePkcs8(dir.resolve("server.key"), issued.key());
    assertThatThrownBy(() -> load(CertificateSource.pem(key, key)))
        .hasMessageContaining(key + ": not a certificate file")
        .hasMessageContaining("found a private key")
        .hasMessageNotContaining("MII");
  }

  @Test
  void nonPemFileShouldSaySo() throws Exception {
    Path chain = TestPki.write(dir.resolve("junk.crt"), "hello, I am not a certificate\n");
    Path key = TestPki.write(dir.resolve("junk.key"), "nor a key\n");
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, key)))
        .hasMessage(chain + ": not a PEM file (no \"-----BEGIN\" line)");
  }

  @Test
  void missingFileShouldSaySo() {
    Path chain = dir.resolve("absent.crt");
    assertThatThrownBy(() -> load(CertificateSource.pem(chain, dir.resolve("absent.key"))))
        .hasMessage(chain + ": file does not exist");
  }

  @Test
  void combinedPemWithCertificateAndKeyInOneFileShouldLoad() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("mail.example.test"));
    CertificateSource parts = TestPki.writePem(dir, "parts", issued);
    Path combined =
        TestPki.write(
            dir.resolve("combined.pem"),
            Files.readString(parts.certificateChain()) + Files.readString(parts.privateKey()));
    assertThat(load(CertificateSource.pem(combined, combined)).leaf())
        .isEqualTo(issued.certificate());
  }

  @Test
  void passphraseGivenInsteadOfSourceShouldBeRejectedWithoutEchoingIt() {
    Path file = dir.resolve("x");
    assertThatThrownBy(() -> new CertificateSource(file, file, Optional.of("hunter2")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("hunter2");
  }
}
