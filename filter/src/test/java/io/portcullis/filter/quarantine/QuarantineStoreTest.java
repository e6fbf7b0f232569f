package io.portcullis.filter.quarantine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuarantineStoreTest {

  @TempDir Path dir;

  private final SecretKey key = key(1);
  private Instant now = Instant.parse("2026-11-24T10:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public java.time.ZoneId getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  private static SecretKey key(int seed) {
    byte[] k = new byte[32];
    new Random(seed).nextBytes(k);
    return new SecretKeySpec(k, "AES");
  }

  private static QuarantineMetadata meta(String account) {
    return new QuarantineMetadata(
        account,
        null,
        0,
        List.of("dangerous-attachment"),
        0,
        List.of("attachment-executable: x"),
        "Bob <bob@example.org>",
        "Invoice",
        null);
  }

  private static byte[] message(int size, int seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    byte[] marker = "SECRET-BODY-MARKER".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(marker, 0, b, 100, marker.length);
    return b;
  }

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).toList();
    }
  }

  @Test
  void putShouldReturnTheSha256AndReleaseShouldReturnTheExactOriginal() throws Exception {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    byte[] original = message(3 * 65536 + 17, 1);

    String id = store.put(new ByteArrayInputStream(original), meta("alice"));

    assertThat(id)
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(original)));
    try (InputStream in = store.release(id)) {
      assertThat(in.readAllBytes()).isEqualTo(original);
    }
    assertThat(store.show(id).orElseThrow().metadata().released()).isEqualTo(now);
  }

  @Test
  void nothingOnDiskShouldContainTheBodyOrTheSubjectInClear() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    store.put(new ByteArrayInputStream(message(5000, 2)), meta("alice"));

    for (Path f : files(dir)) {
      String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(raw)
          .doesNotContain("SECRET-BODY-MARKER")
          .doesNotContain("Invoice")
          .doesNotContain("alice");
    }
  }

  @Test
  void putShouldLeaveNoTemporaryFilesBehind() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    store.put(new ByteArrayInputStream(message(100_000, 3)), meta("alice"));

    assertThat(files(dir.resolve("tmp"))).isEmpty();
    assertThat(files(dir.resolve("objects"))).hasSize(2);
  }

  @Test
  void emptyMessageShouldRoundTrip() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    String id = store.put(new ByteArrayInputStream(new byte[0]), meta("alice"));

    try (InputStream in = store.release(id)) {
      assertThat(in.readAllBytes()).isEmpty();
    }
  }

  @Test
  void aTamperedChunkShouldFailRelease() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    String id = store.put(new ByteArrayInputStream(message(200_000, 4)), meta("alice"));
    Path object =
        files(dir).stream().filter(p -> p.toString().endsWith(".pcq")).findFirst().orElseThrow();
    byte[] raw = Files.readAllBytes(object);
    raw[70_000] ^= 1;
    Files.write(object, raw);

    assertThatThrownBy(() -> store.release(id).readAllBytes())
        .isInstanceOf(IOException.class)
        .hasMessageContaining("authentication");
  }

  @Test
  void aTruncatedObjectShouldFailRelease() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    String id = store.put(new ByteArrayInputStream(message(200_000, 5)), meta("alice"));
    Path object =
        files(dir).stream().filter(p -> p.toString().endsWith(".pcq")).findFirst().orElseThrow();
    byte[] raw = Files.readAllBytes(object);
    // Cut exactly after the second chunk record, so what is left is well formed but incomplete.
    int cut = 13 + 2 * (5 + 65536 + 16);
    Files.write(object, java.util.Arrays.copyOf(raw, cut));

    assertThatThrownBy(() -> store.release(id).readAllBytes()).isInstanceOf(IOException.class);
  }

  @Test
  void theWrongKeyShouldNotReleaseAnything() throws IOException {
    String id =
        QuarantineStore.encrypted(dir, key, clock)
            .put(new ByteArrayInputStream(message(1000, 6)), meta("alice"));
    QuarantineStore other = QuarantineStore.encrypted(dir, key(2), clock);

    assertThatThrownBy(() -> other.release(id).readAllBytes()).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> other.show(id)).isInstanceOf(IOException.class);
  }

  @Test
  void theSameOriginalTwiceShouldBeOneEntry() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    byte[] original = message(1000, 7);

    String a = store.put(new ByteArrayInputStream(original), meta("alice"));
    String b = store.put(new ByteArrayInputStream(original), meta("alice"));

    assertThat(a).isEqualTo(b);
    assertThat(store.list(Optional.empty())).hasSize(1);
  }

  @Test
  void listShouldFilterByAccountAndRetentionShouldPurgeOldEntries() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);
    String old = store.put(new ByteArrayInputStream(message(1000, 8)), meta("alice"));
    now = now.plus(Duration.ofDays(20));
    String fresh = store.put(new ByteArrayInputStream(message(1000, 9)), meta("bob"));

    assertThat(store.list(Optional.of("bob")))
        .extracting(QuarantineStore.Entry::id)
        .containsExactly(fresh);
    assertThat(store.purgeOlderThan(Duration.ofDays(14))).isEqualTo(1);
    assertThat(store.list(Optional.empty()))
        .extracting(QuarantineStore.Entry::id)
        .containsExactly(fresh);
    assertThatThrownBy(() -> store.release(old)).isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aPathLikeIdShouldNotReachTheFileSystem() throws IOException {
    QuarantineStore store = QuarantineStore.encrypted(dir, key, clock);

    assertThat(store.show("../../etc/passwd")).isEmpty();
    assertThatThrownBy(() -> store.release("../../etc/passwd"))
        .isInstanceOf(NoSuchElementException.class);
  }

  @Test
  void aKeyThatIsNotAes256ShouldBeRefused() {
    assertThatThrownBy(
            () -> QuarantineStore.encrypted(dir, new SecretKeySpec(new byte[16], "AES"), clock))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
