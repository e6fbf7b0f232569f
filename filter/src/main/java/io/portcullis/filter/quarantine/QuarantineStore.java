package io.portcullis.filter.quarantine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.crypto.SecretKey;

/**
 * Where originals go before anything upstream changes: content-addressed by SHA-256, encrypted at
 * rest, durable when {@link #put} returns. Implementations are thread-safe.
 */
public interface QuarantineStore {

  /** An entry: its id (the original's SHA-256, lower-case hex) and metadata. */
  record Entry(String id, QuarantineMetadata metadata) {}

  /**
   * Stores an original and returns its id, the SHA-256 of its bytes. Storing the same bytes again
   * keeps the first metadata and returns the same id. The entry is on stable storage when this
   * returns.
   */
  String put(InputStream original, QuarantineMetadata metadata) throws IOException;

  /** All entries, optionally only one account's, oldest first. */
  List<Entry> list(Optional<String> account) throws IOException;

  /** One entry's metadata (headers and findings, never content). */
  Optional<Entry> show(String id) throws IOException;

  /**
   * The original bytes, decrypted and verified against the id as they are read (a mismatch or
   * tampering fails the read with an IOException); records the release time.
   *
   * @throws java.util.NoSuchElementException if there is no such entry
   */
  InputStream release(String id) throws IOException;

  /** Deletes entries stored longer ago than {@code maxAge}; returns how many. */
  int purgeOlderThan(Duration maxAge) throws IOException;

  /**
   * A store in {@code directory} encrypted with AES-256-GCM under {@code key}.
   *
   * @throws IllegalArgumentException if the key is not a 256-bit AES key
   */
  static QuarantineStore encrypted(Path directory, SecretKey key, Clock clock) throws IOException {
    return new EncryptedFileQuarantineStore(directory, key, clock);
  }
}
