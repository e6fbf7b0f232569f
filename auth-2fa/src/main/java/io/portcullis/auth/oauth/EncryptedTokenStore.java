package io.portcullis.auth.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.portcullis.auth.secret.AtomicFiles;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.secret.SecretBoxException;
import io.portcullis.auth.secret.SecretContext;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The OAuth token store: one file holding every account's tokens as JSON, sealed as a whole with
 * AES-256-GCM under the master key ({@link SecretContext#OAUTH_TOKEN}), so any change to the file —
 * an edited byte, a removed account, a swapped blob — fails authentication and is refused. Writes
 * are read-modify-write under an exclusive lock on a sidecar file (the CLI and the gateway may
 * write at once) and atomic (temporary file, fsync, rename): a crash leaves the old store or the
 * new one. A change made by another process is picked up on the next read. Thread-safe.
 */
public final class EncryptedTokenStore {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final SecretContext CONTEXT =
      new SecretContext(SecretContext.OAUTH_TOKEN, "token-store");
  private static final int FORMAT = 1;
  private static final Set<StandardOpenOption> LOCK_OPTIONS =
      Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);

  /** How a new version of the file is written; tests replace it to simulate a crash. */
  interface Writer {
    void write(Path file, byte[] content) throws IOException;
  }

  private final Path file;
  private final Path lockFile;
  private final SecretBox box;
  private final Writer writer;
  private Map<String, StoredToken> cache = Map.of();
  private FileTime cachedModified;
  private long cachedSize = -1;

  EncryptedTokenStore(Path file, SecretBox box, Writer writer) {
    this.file = Objects.requireNonNull(file, "file");
    this.lockFile = file.resolveSibling(file.getFileName() + ".lock");
    this.box = Objects.requireNonNull(box, "box");
    this.writer = Objects.requireNonNull(writer, "writer");
  }

  /**
   * Opens the store at {@code file} (it need not exist yet) and reads it once, so a tampered or
   * foreign store is refused at startup.
   *
   * @throws TokenStoreException if the file exists and cannot be read or authenticated
   */
  public static EncryptedTokenStore open(Path file, SecretBox box) {
    EncryptedTokenStore store = new EncryptedTokenStore(file, box, AtomicFiles::write);
    store.snapshot();
    return store;
  }

  /** The file this store lives in. */
  public Path file() {
    return file;
  }

  /** What is stored for {@code account}, without tokens. */
  public Optional<TokenStatus> status(String account) {
    return Optional.ofNullable(snapshot().get(account)).map(t -> t.status(account));
  }

  /** Every stored account, by name. */
  public Map<String, TokenStatus> statuses() {
    Map<String, TokenStatus> out = new TreeMap<>();
    snapshot().forEach((k, v) -> out.put(k, v.status(k)));
    return out;
  }

  /** Removes an account's tokens; returns whether there were any. */
  public boolean remove(String account) {
    boolean[] removed = new boolean[1];
    update(
        account,
        current -> {
          removed[0] = current.isPresent();
          return Optional.empty();
        });
    return removed[0];
  }

  synchronized Optional<StoredToken> get(String account) {
    return Optional.ofNullable(snapshot().get(account));
  }

  /**
   * Changes one account under the lock, from the file's current content; an empty result removes
   * the account.
   *
   * @throws TokenStoreException if the store cannot be read, authenticated or written; the file is
   *     then unchanged
   */
  synchronized void update(String account, UnaryOperator<Optional<StoredToken>> change) {
    try (FileChannel lock =
            FileChannel.open(
                lockFile,
                LOCK_OPTIONS,
                PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        FileLock held = lock.lock()) {
      Map<String, StoredToken> accounts = new TreeMap<>(read());
      Optional<StoredToken> next = change.apply(Optional.ofNullable(accounts.get(account)));
      if (next.isPresent()) {
        accounts.put(account, next.get());
      } else {
        accounts.remove(account);
      }
      byte[] json = encode(accounts);
      String sealed;
      try {
        sealed = box.seal(json, CONTEXT);
      } finally {
        Arrays.fill(json, (byte) 0);
      }
      writer.write(file, (sealed + "\n").getBytes(StandardCharsets.US_ASCII));
      cache = Map.copyOf(accounts);
      remember();
    } catch (IOException e) {
      throw new TokenStoreException(
          "token store " + file + " cannot be written: " + e.getMessage(), e);
    }
  }

  /** The current content, read again if the file changed since the last read. */
  private synchronized Map<String, StoredToken> snapshot() {
    try {
      FileTime modified = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (modified.equals(cachedModified) && size == cachedSize) {
        return cache;
      }
    } catch (NoSuchFileException e) {
      cache = Map.of();
      cachedModified = null;
      cachedSize = -1;
      return cache;
    } catch (IOException e) {
      throw new TokenStoreException("token store " + file + " cannot be read: " + e, e);
    }
    cache = Map.copyOf(read());
    remember();
    return cache;
  }

  private void remember() {
    try {
      cachedModified = Files.getLastModifiedTime(file);
      cachedSize = Files.size(file);
    } catch (IOException e) {
      cachedModified = null;
      cachedSize = -1;
    }
  }

  private Map<String, StoredToken> read() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII).strip();
    } catch (NoSuchFileException e) {
      return Map.of();
    } catch (IOException e) {
      throw new TokenStoreException(
          "token store " + file + " cannot be read: " + e.getMessage(), e);
    }
    byte[] json;
    try {
      json = box.open(text, CONTEXT);
    } catch (SecretBoxException e) {
      throw new TokenStoreException(
          "token store "
              + file
              + " is refused: "
              + e.getMessage()
              + " (tampered with, truncated, or sealed with another key); restore it from a"
              + " backup or delete it and authorise the accounts again",
          e);
    }
    try {
      return decode(json);
    } catch (IOException | RuntimeException e) {
      throw new TokenStoreException(
          "token store " + file + " is refused: its content is not a token store", e);
    } finally {
      Arrays.fill(json, (byte) 0);
    }
  }

  private static byte[] encode(Map<String, StoredToken> accounts) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT);
    ObjectNode all = root.putObject("accounts");
    accounts.forEach(
        (name, t) -> {
          ObjectNode n = all.putObject(name);
          t.accessToken().ifPresent(v -> n.put("access_token", v));
          t.refreshToken().ifPresent(v -> n.put("refresh_token", v));
          t.accessTokenExpiresAt().ifPresent(v -> n.put("expires_at", v.toEpochMilli()));
          t.refreshTokenExpiresAt()
              .ifPresent(v -> n.put("refresh_token_expires_at", v.toEpochMilli()));
          t.authorizedAt().ifPresent(v -> n.put("authorized_at", v.toEpochMilli()));
          t.refreshedAt().ifPresent(v -> n.put("refreshed_at", v.toEpochMilli()));
          n.put("scope", t.scope());
        });
    return JSON.writeValueAsBytes(root);
  }

  private static Map<String, StoredToken> decode(byte[] json) throws IOException {
    JsonNode root = JSON.readTree(json);
    if (root == null || root.path("format").asInt() != FORMAT) {
      throw new IOException("unknown format");
    }
    Map<String, StoredToken> out = new TreeMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.path("accounts").fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode n = e.getValue();
      out.put(
          e.getKey(),
          new StoredToken(
              text(n, "access_token"),
              text(n, "refresh_token"),
              instant(n, "expires_at"),
              instant(n, "refresh_token_expires_at"),
              instant(n, "authorized_at"),
              instant(n, "refreshed_at"),
              n.path("scope").asText("")));
    }
    return out;
  }

  private static Optional<String> text(JsonNode n, String key) {
    return n.hasNonNull(key) ? Optional.of(n.get(key).asText()) : Optional.empty();
  }

  private static Optional<Instant> instant(JsonNode n, String key) {
    return n.hasNonNull(key)
        ? Optional.of(Instant.ofEpochMilli(n.get(key).asLong()))
        : Optional.empty();
  }
}
