package io.portcullis.gateway.filtering;

import io.portcullis.auth.secret.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Small durable values by namespace and key: one file per key under {@code DATA-DIR/state},
 * replaced atomically and fsynced ({@link AtomicFiles}), so a crash leaves the old or the new
 * value, never a torn one. File names are the SHA-256 of the key (any key, any length); the key
 * itself is the file's first line, so {@link #keys} can list them. Thread-safe; blocking I/O, never
 * on an event loop.
 */
public final class StateStore {
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

  private final Path root;

  /** A store under {@code root}, created owner-only if absent. */
  public StateStore(Path root) throws IOException {
    this.root = root;
    createPrivateDirectory(root);
  }

  /** The value stored under {@code key}, if any. */
  public Optional<byte[]> get(String namespace, String key) {
    try {
      byte[] content = Files.readAllBytes(file(namespace, key));
      int newline = indexOf(content, (byte) '\n');
      return newline < 0
          ? Optional.empty()
          : Optional.of(Arrays.copyOfRange(content, newline + 1, content.length));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read state " + namespace + "/" + key, e);
    }
  }

  /** Stores {@code value} under {@code key}; on stable storage when this returns. */
  public void put(String namespace, String key, byte[] value) {
    byte[] name = Base64.getUrlEncoder().encode(key.getBytes(StandardCharsets.UTF_8));
    byte[] content = new byte[name.length + 1 + value.length];
    System.arraycopy(name, 0, content, 0, name.length);
    content[name.length] = '\n';
    System.arraycopy(value, 0, content, name.length + 1, value.length);
    try {
      Path dir = root.resolve(namespace);
      createPrivateDirectory(dir);
      AtomicFiles.write(file(namespace, key), content);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write state " + namespace + "/" + key, e);
    }
  }

  /** Removes {@code key}; nothing happens if it is absent. */
  public void delete(String namespace, String key) {
    try {
      Files.deleteIfExists(file(namespace, key));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete state " + namespace + "/" + key, e);
    }
  }

  /** Every key of {@code namespace}, in no particular order. */
  public List<String> keys(String namespace) {
    Path dir = root.resolve(checkNamespace(namespace));
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<String> keys = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (f.getFileName().toString().startsWith(".")) {
          continue; // a temporary file of an interrupted write
        }
        byte[] content = Files.readAllBytes(f);
        int newline = indexOf(content, (byte) '\n');
        if (newline > 0) {
          keys.add(
              new String(
                  Base64.getUrlDecoder().decode(Arrays.copyOf(content, newline)),
                  StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list state " + namespace, e);
    }
    return keys;
  }

  private Path file(String namespace, String key) {
    return root.resolve(checkNamespace(namespace)).resolve(sha256(key));
  }

  private static String checkNamespace(String namespace) {
    if (!NAMESPACE.matcher(namespace).matches()) {
      throw new IllegalArgumentException("bad state namespace '" + namespace + "'");
    }
    return namespace;
  }

  static String sha256(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private static int indexOf(byte[] content, byte b) {
    for (int i = 0; i < content.length; i++) {
      if (content[i] == b) {
        return i;
      }
    }
    return -1;
  }

  static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    Files.createDirectories(dir.toAbsolutePath().getParent());
    try {
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (java.nio.file.FileAlreadyExistsException e) {
      // Created concurrently; fine.
    }
  }
}
