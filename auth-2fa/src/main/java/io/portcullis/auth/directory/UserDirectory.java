package io.portcullis.auth.directory;

import io.portcullis.auth.secret.AtomicFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * The local users, read from and written to one YAML file. Lookups read an immutable snapshot
 * (lock-free); {@link #reload()} swaps in a new one only if the file is valid; updates take a lock
 * file, re-read the file if it changed on disk (the CLI and the server may both write), and write
 * it atomically. Thread-safe.
 */
public final class UserDirectory {
  private record Snapshot(Map<String, UserRecord> users, byte[] digest) {}

  /**
   * One in-process lock per file: a FileLock guards against other processes (the CLI), but two
   * directories on one file in the same JVM would get OverlappingFileLockException from it.
   */
  private static final ConcurrentHashMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private final Path file;
  private volatile Snapshot snapshot;

  private UserDirectory(Path file, Snapshot snapshot) {
    this.file = file;
    this.snapshot = snapshot;
  }

  /**
   * Opens the user file; a missing file is an empty directory (created on the first write).
   *
   * @throws UserFileException if the file exists and is invalid
   */
  public static UserDirectory open(Path file) {
    Objects.requireNonNull(file, "file");
    return new UserDirectory(file, read(file));
  }

  public Path file() {
    return file;
  }

  /** The user named {@code name} (exact, case-sensitive match). */
  public Optional<UserRecord> find(String name) {
    return Optional.ofNullable(snapshot.users().get(name));
  }

  /** Every user, in file order. */
  public List<UserRecord> users() {
    return List.copyOf(snapshot.users().values());
  }

  /**
   * Re-reads the file (the gateway calls this on change or SIGHUP).
   *
   * @throws UserFileException if the new content is invalid; the previous users stay in effect
   */
  public synchronized void reload() {
    snapshot = read(file);
  }

  /**
   * Adds a user.
   *
   * @throws IllegalArgumentException if the name is taken
   */
  public void add(UserRecord user) {
    mutate(
        users -> {
          if (users.putIfAbsent(user.name(), user) != null) {
            throw new IllegalArgumentException("user " + user.name() + " already exists");
          }
        });
  }

  /** Removes a user; returns whether it existed. */
  public boolean remove(String name) {
    boolean[] removed = {false};
    mutate(users -> removed[0] = users.remove(name) != null);
    return removed[0];
  }

  /**
   * Applies {@code change} to the current record of {@code name} and persists the result, unless
   * {@code change} returns the very same instance (nothing to write).
   *
   * @return the record after the change, empty if the user does not exist
   */
  public Optional<UserRecord> update(String name, UnaryOperator<UserRecord> change) {
    AtomicReference<Optional<UserRecord>> result = new AtomicReference<>(Optional.empty());
    mutate(
        users -> {
          UserRecord current = users.get(name);
          if (current == null) {
            return;
          }
          UserRecord next = change.apply(current);
          if (!next.name().equals(name)) {
            throw new IllegalArgumentException("a user cannot be renamed by update");
          }
          users.put(name, next);
          result.set(Optional.of(next));
        });
    return result.get();
  }

  private synchronized void mutate(java.util.function.Consumer<Map<String, UserRecord>> change) {
    ReentrantLock jvmLock =
        JVM_LOCKS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new ReentrantLock());
    jvmLock.lock();
    try {
      mutateLocked(change);
    } finally {
      jvmLock.unlock();
    }
  }

  private void mutateLocked(java.util.function.Consumer<Map<String, UserRecord>> change) {
    Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
    try (FileChannel lockChannel =
        FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      lockChannel.lock(); // released when the channel closes
      Snapshot base = read(file);
      if (!MessageDigest.isEqual(base.digest(), snapshot.digest())) {
        snapshot = base; // someone else wrote the file: build on what is there
      }
      Map<String, UserRecord> users = new LinkedHashMap<>(snapshot.users());
      change.accept(users);
      if (users.equals(snapshot.users())) {
        return;
      }
      byte[] content = UserFile.write(users.values());
      AtomicFiles.write(file, content);
      snapshot = new Snapshot(Collections.unmodifiableMap(users), sha256(content));
    } catch (IOException e) {
      throw new UserFileException("cannot write user file " + file + ": " + e.getMessage(), e);
    }
  }

  private static Snapshot read(Path file) {
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new Snapshot(Map.of(), sha256(new byte[0]));
    } catch (IOException e) {
      throw new UserFileException("cannot read user file " + file + ": " + e.getMessage(), e);
    }
    Map<String, UserRecord> users = UserFile.parse(content, file.toString());
    return new Snapshot(Collections.unmodifiableMap(new LinkedHashMap<>(users)), sha256(content));
  }

  private static byte[] sha256(byte[] content) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(content);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "UserDirectory[" + file + ", " + snapshot.users().size() + " users]";
  }
}
