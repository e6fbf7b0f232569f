package io.portcullis.auth.secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {
  @TempDir Path dir;

  private static final byte[] SEED = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);

  @Test
  void derivedKeysShouldBeStablePerPurposeAndDifferFromEachOtherAndTheMasterKey() {
    String material = key();
    MasterKey master = MasterKey.fromBase64(material, "test");
    byte[] quarantine = master.derive("quarantine").getEncoded();
    assertThat(quarantine).hasSize(32);
    assertThat(MasterKey.fromBase64(material, "test").derive("quarantine").getEncoded())
        .isEqualTo(quarantine);
    assertThat(MasterKey.fromBase64(key(), "test").derive("quarantine").getEncoded())
        .isNotEqualTo(quarantine);
    assertThat(master.derive("renditions").getEncoded()).isNotEqualTo(quarantine);
    assertThat(quarantine).isNotEqualTo(Base64.getDecoder().decode(material));
  }

  @Test
  void generatedKeyFileShouldBeOwnerOnlyAndLoadBackToTheSameKey() throws Exception {
    Path file = dir.resolve("portcullis.key");
    MasterKey generated = MasterKey.generate(file, new SecureRandom());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    MasterKey loaded = MasterKey.fromFile(file);
    String sealed = new SecretBox(generated).seal(SEED, SecretContext.totpSeed("alice"));
    assertThat(new SecretBox(loaded).open(sealed, SecretContext.totpSeed("alice"))).isEqualTo(SEED);
    assertThat(Files.list(dir)).containsExactly(file);
  }

  @Test
  void generateShouldRefuseToOverwriteAnExistingKey() throws Exception {
    Path file = dir.resolve("portcullis.key");
    MasterKey.generate(file, new SecureRandom());
    byte[] before = Files.readAllBytes(file);
    assertThatThrownBy(() -> MasterKey.generate(file, new SecureRandom()))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("already exists");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void keyFileReadableByGroupShouldBeRefusedWithTheFix() throws Exception {
    Path file = dir.resolve("portcullis.key");
    MasterKey.generate(file, new SecureRandom());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> MasterKey.fromFile(file))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("rw-r--r--")
        .hasMessageContaining("chmod 600");
  }

  @Test
  void keyFileWithWrongLengthShouldBeRefused() throws Exception {
    Path file = dir.resolve("short.key");
    Files.writeString(file, Base64.getEncoder().encodeToString(new byte[16]));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> MasterKey.fromFile(file)).hasMessageContaining("32 bytes");
  }

  @Test
  void missingKeyFileShouldBeNamed() {
    assertThatThrownBy(() -> MasterKey.fromFile(dir.resolve("nope.key")))
        .isInstanceOf(KeyFileException.class)
        .hasMessageContaining("nope.key");
  }

  @Test
  void twoSealsOfOneSecretShouldDifferByNonce() {
    SecretBox box = new SecretBox(MasterKey.fromBase64(key(), "test"));
    assertThat(box.seal(SEED, SecretContext.totpSeed("a")))
        .isNotEqualTo(box.seal(SEED, SecretContext.totpSeed("a")))
        .startsWith("pcs1.");
  }

  @Test
  void blobSwappedToAnotherUserShouldFailToOpen() {
    SecretBox box = new SecretBox(MasterKey.fromBase64(key(), "test"));
    String alices = box.seal(SEED, SecretContext.totpSeed("alice"));
    assertThatThrownBy(() -> box.open(alices, SecretContext.totpSeed("mallory")))
        .isInstanceOf(SecretBoxException.class)
        .hasMessageContaining("failed authentication");
  }

  @Test
  void blobSwappedToAnotherPurposeShouldFailToOpen() {
    SecretBox box = new SecretBox(MasterKey.fromBase64(key(), "test"));
    String seed = box.seal(SEED, SecretContext.totpSeed("alice"));
    assertThatThrownBy(() -> box.open(seed, SecretContext.upstreamPassword("alice")))
        .isInstanceOf(SecretBoxException.class);
  }

  @Test
  void flippedCiphertextBitShouldBeDetectedAsTampering() {
    SecretBox box = new SecretBox(MasterKey.fromBase64(key(), "test"));
    String sealed = box.seal(SEED, SecretContext.totpSeed("alice"));
    byte[] raw = Base64.getUrlDecoder().decode(sealed.substring(5));
    raw[raw.length - 20] ^= 1;
    String tampered = "pcs1." + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThatThrownBy(() -> box.open(tampered, SecretContext.totpSeed("alice")))
        .isInstanceOf(SecretBoxException.class)
        .hasMessageContaining("tampered");
  }

  @Test
  void blobFromAnotherKeyShouldBeNamedAsSuch() {
    String sealed =
        new SecretBox(MasterKey.fromBase64(key(), "a")).seal(SEED, SecretContext.totpSeed("x"));
    assertThatThrownBy(
            () ->
                new SecretBox(MasterKey.fromBase64(key(), "b"))
                    .open(sealed, SecretContext.totpSeed("x")))
        .hasMessageContaining("another key");
  }

  @Test
  void keyShouldNeverPrintItsMaterial() {
    String base64 = key();
    assertThat(MasterKey.fromBase64(base64, "t").toString())
        .doesNotContain(base64)
        .startsWith("MasterKey[id=");
  }

  private static String key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }
}
