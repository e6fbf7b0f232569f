package io.portcullis.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedTokenStoreTest {
  @TempDir Path dir;
  private OAuthFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new OAuthFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  @Test
  void storeFileShouldHoldNoTokenInClearAndBeReadableByItsOwnerOnly() throws Exception {
    var issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    String content = Files.readString(f.settings.storeFile());
    assertThat(content).startsWith("pcs1.").doesNotContain(issued.refreshToken());
    assertThat(content).doesNotContain(issued.accessToken()).doesNotContain(OAuthFixture.ACCOUNT);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.settings.storeFile())))
        .isEqualTo("rw-------");
  }

  @Test
  void tamperedStoreShouldBeRefusedWithAClearError() throws Exception {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    byte[] bytes = Files.readAllBytes(f.settings.storeFile());
    bytes[40] = (byte) (bytes[40] == 'A' ? 'B' : 'A');
    Files.write(f.settings.storeFile(), bytes);
    assertThatThrownBy(() -> EncryptedTokenStore.open(f.settings.storeFile(), f.box))
        .isInstanceOf(TokenStoreException.class)
        .hasMessageContaining("tokens.json is refused")
        .hasMessageContaining("tampered with");
  }

  @Test
  void tamperedStoreShouldFailTheBrokerAsStoreUnreadable() throws Exception {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    try (OAuthBroker broker = f.broker()) {
      Files.writeString(
          f.settings.storeFile(), "pcs1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
      assertThat(broker.accessToken(OAuthFixture.ACCOUNT))
          .failsWithin(Duration.ofSeconds(5))
          .withThrowableThat()
          .havingCause()
          .isInstanceOfSatisfying(
              OAuthException.class,
              e -> assertThat(e.kind()).isEqualTo(OAuthException.Kind.STORE_UNREADABLE));
    }
  }

  @Test
  void storeSealedWithAnotherKeyShouldBeRefused() throws Exception {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    SecretBox other =
        new SecretBox(MasterKey.generate(dir.resolve("other.key"), new SecureRandom()));
    assertThatThrownBy(() -> EncryptedTokenStore.open(f.settings.storeFile(), other))
        .isInstanceOf(TokenStoreException.class)
        .hasMessageContaining("another key");
  }

  @Test
  void interruptedWriteShouldLeaveTheOldStoreIntact() throws Exception {
    var issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    byte[] before = Files.readAllBytes(f.settings.storeFile());
    // A crash half-way through writing the temporary file: the rename never happens.
    EncryptedTokenStore crashing =
        new EncryptedTokenStore(
            f.settings.storeFile(),
            f.box,
            (file, content) -> {
              Path temp = file.resolveSibling("." + file.getFileName() + "123.tmp");
              Files.write(temp, java.util.Arrays.copyOf(content, content.length / 2));
              throw new IOException("killed");
            });
    assertThatThrownBy(
            () -> crashing.update(OAuthFixture.SHARED, t -> Optional.of(StoredToken.EMPTY)))
        .isInstanceOf(TokenStoreException.class);

    assertThat(Files.readAllBytes(f.settings.storeFile())).isEqualTo(before);
    EncryptedTokenStore reopened = EncryptedTokenStore.open(f.settings.storeFile(), f.box);
    assertThat(reopened.get(OAuthFixture.ACCOUNT).orElseThrow().refreshToken())
        .contains(issued.refreshToken());
    assertThat(reopened.statuses()).containsOnlyKeys(OAuthFixture.ACCOUNT);
  }

  @Test
  void changeByAnotherProcessShouldBeSeenOnTheNextRead() throws Exception {
    EncryptedTokenStore gateway = f.store();
    assertThat(gateway.statuses()).isEmpty();
    f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1)); // the CLI, through its own instance
    assertThat(gateway.statuses()).containsOnlyKeys(OAuthFixture.ACCOUNT);
  }

  @Test
  void garbageThatIsNotASealedStoreShouldBeRefused() throws Exception {
    Files.writeString(f.settings.storeFile(), "{\"accounts\":{}}", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> EncryptedTokenStore.open(f.settings.storeFile(), f.box))
        .isInstanceOf(TokenStoreException.class)
        .hasMessageContaining("is refused");
  }
}
