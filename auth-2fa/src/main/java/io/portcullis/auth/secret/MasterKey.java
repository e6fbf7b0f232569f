package io.portcullis.auth.secret;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * The AES-256 key that protects secrets at rest (TOTP seeds, upstream passwords, OAuth tokens). It
 * comes from a key file readable by its owner only, or from an environment variable, never from the
 * configuration file. Immutable and thread-safe; never printed.
 */
public final class MasterKey {
  /** The environment variable read by {@link #fromEnvironment()}. */
  public static final String ENVIRONMENT_VARIABLE = "PORTCULLIS_KEY";

  private static final int KEY_BYTES = 32;
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private final SecretKey key;
  private final byte[] keyId;

  private MasterKey(byte[] material) {
    this.key = new SecretKeySpec(material, "AES");
    this.keyId = deriveKeyId(material);
    Arrays.fill(material, (byte) 0);
  }

  /**
   * Reads a key file holding the base64 of 32 random bytes.
   *
   * @throws KeyFileException if the file is missing, readable by group or others, or malformed
   */
  public static MasterKey fromFile(Path file) {
    try {
      if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeyFileException("key file " + file + " does not exist or is not a regular file");
      }
      Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
      if (permissions.stream().anyMatch(p -> !OWNER_ONLY.contains(p))) {
        throw new KeyFileException(
            "key file "
                + file
                + " has mode "
                + PosixFilePermissions.toString(permissions)
                + "; it must be readable by its owner only: chmod 600 "
                + file);
      }
      byte[] content = Files.readAllBytes(file);
      try {
        return fromBase64(
            new String(content, StandardCharsets.US_ASCII).strip(), "key file " + file);
      } finally {
        Arrays.fill(content, (byte) 0);
      }
    } catch (IOException e) {
      throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage(), e);
    } catch (UnsupportedOperationException e) {
      throw new KeyFileException(
          "key file " + file + " is on a file system without POSIX modes", e);
    }
  }

  /**
   * Reads the key from {@value #ENVIRONMENT_VARIABLE} (base64 of 32 bytes).
   *
   * @throws KeyFileException if the variable is unset or malformed
   */
  public static MasterKey fromEnvironment() {
    String value = System.getenv(ENVIRONMENT_VARIABLE);
    if (value == null || value.isBlank()) {
      throw new KeyFileException("environment variable " + ENVIRONMENT_VARIABLE + " is not set");
    }
    return fromBase64(value.strip(), "environment variable " + ENVIRONMENT_VARIABLE);
  }

  /** A key from its base64 form; {@code origin} names where it came from in error messages. */
  public static MasterKey fromBase64(String base64, String origin) {
    byte[] material;
    try {
      material = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(origin + " is not base64");
    }
    if (material.length != KEY_BYTES) {
      Arrays.fill(material, (byte) 0);
      throw new KeyFileException(origin + " must hold 32 bytes (base64), not " + material.length);
    }
    return new MasterKey(material);
  }

  /**
   * Creates a new key file with mode 0600, atomically (temporary file, fsync, rename): a crash
   * leaves either no key file or a complete one.
   *
   * @throws KeyFileException if {@code file} already exists (a key is never overwritten) or on I/O
   *     failure
   */
  public static MasterKey generate(Path file, SecureRandom random) {
    byte[] material = new byte[KEY_BYTES];
    random.nextBytes(material);
    byte[] encoded = Base64.getEncoder().encode(material);
    Path dir = file.toAbsolutePath().getParent();
    Path temp = null;
    try {
      if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        throw new KeyFileException(
            "key file " + file + " already exists; refusing to overwrite it");
      }
      temp =
          Files.createTempFile(
              dir, ".portcullis-key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(encoded));
        channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
        channel.force(true);
      }
      // Files.move(ATOMIC_MOVE) would replace a file created meanwhile; a hard link cannot.
      Files.createLink(file, temp);
      Files.delete(temp);
      temp = null;
      AtomicFiles.fsyncDirectory(dir);
      return new MasterKey(material);
    } catch (FileAlreadyExistsException e) {
      throw new KeyFileException("key file " + file + " already exists; refusing to overwrite it");
    } catch (IOException e) {
      throw new KeyFileException("cannot write key file " + file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(encoded, (byte) 0);
      if (temp != null) {
        try {
          Files.deleteIfExists(temp);
        } catch (IOException ignored) {
          // The original failure is what matters.
        }
      }
    }
  }

  SecretKey aesKey() {
    return key;
  }

  /**
   * A separate 256-bit AES key for one purpose (HKDF-SHA256, RFC 5869, with the purpose as info),
   * so that stores encrypted with derived keys never share a key with sealed secrets or each other.
   *
   * @param purpose a fixed label such as {@code "quarantine"}
   */
  public SecretKey derive(String purpose) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(SHA256Digest.newInstance());
    hkdf.init(
        new HKDFParameters(
            key.getEncoded(),
            "portcullis-derived-key".getBytes(StandardCharsets.US_ASCII),
            purpose.getBytes(StandardCharsets.UTF_8)));
    byte[] derived = new byte[KEY_BYTES];
    hkdf.generateBytes(derived, 0, derived.length);
    try {
      return new SecretKeySpec(derived, "AES");
    } finally {
      Arrays.fill(derived, (byte) 0);
    }
  }

  /**
   * Four bytes identifying the key, stored in each envelope so that a wrong key is named as such.
   */
  byte[] keyId() {
    return keyId.clone();
  }

  /** The key id in hex, safe to log. */
  public String keyIdHex() {
    return HexFormat.of().formatHex(keyId);
  }

  private static byte[] deriveKeyId(byte[] material) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(material, "HmacSHA256"));
      return Arrays.copyOf(mac.doFinal("portcullis key id".getBytes(StandardCharsets.US_ASCII)), 4);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is required of every JDK", e);
    }
  }

  @Override
  public String toString() {
    return "MasterKey[id=" + keyIdHex() + "]";
  }
}
