package io.portcullis.auth.password;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Stored password hashes: creates Argon2id PHC strings and verifies them as well as Dovecot-style
 * imports ({@code {ARGON2ID}}, {@code {BLF-CRYPT}}, {@code {SHA512-CRYPT}}, or the bare crypt
 * strings). These calls burn CPU and memory: run them through {@link PasswordHasher}. Stateless.
 */
public final class PasswordHashes {
  /** The hash families understood. */
  public enum Scheme {
    /** Argon2id v1.3 PHC string, the native format. */
    ARGON2ID,
    /** bcrypt {@code $2a$}/{@code $2b$}/{@code $2y$} (Dovecot BLF-CRYPT). */
    BCRYPT,
    /** glibc SHA-512 crypt {@code $6$} (Dovecot SHA512-CRYPT). */
    SHA512_CRYPT
  }

  /** bcrypt uses only the first 72 bytes of a password; longer ones are cut as crypt(3) does. */
  private static final int BCRYPT_MAX_PASSWORD_BYTES = 72;

  /** Imported bcrypt costs above 2^16 rounds take seconds per login and are refused. */
  private static final int BCRYPT_MAX_COST = 16;

  private PasswordHashes() {}

  /**
   * The scheme of {@code stored}, or empty if it is not a well-formed hash this class can verify.
   */
  public static Optional<Scheme> scheme(String stored) {
    String bare = stripPrefix(stored);
    if (Argon2idHash.parse(bare).isPresent()) {
      return Optional.of(Scheme.ARGON2ID);
    }
    if (isBcrypt(bare)) {
      return Optional.of(Scheme.BCRYPT);
    }
    if (ShaCrypt.isShaCrypt(bare)) {
      return Optional.of(Scheme.SHA512_CRYPT);
    }
    return Optional.empty();
  }

  /** A new Argon2id PHC string for the UTF-8 {@code password} with a 16-byte random salt. */
  public static String hash(byte[] password, Argon2Cost cost, SecureRandom random) {
    byte[] salt = new byte[Argon2idHash.SALT_BYTES];
    random.nextBytes(salt);
    return Argon2idHash.create(password, salt, cost).format();
  }

  /** Whether the UTF-8 {@code password} matches {@code stored}; false for unknown formats. */
  public static boolean matches(byte[] password, String stored) {
    String bare = stripPrefix(stored);
    Optional<Argon2idHash> argon2 = Argon2idHash.parse(bare);
    if (argon2.isPresent()) {
      return argon2.get().matches(password);
    }
    if (isBcrypt(bare)) {
      byte[] cut = Arrays.copyOf(password, Math.min(password.length, BCRYPT_MAX_PASSWORD_BYTES));
      try {
        return OpenBSDBCrypt.checkPassword(bare, cut);
      } catch (RuntimeException e) {
        return false;
      } finally {
        Arrays.fill(cut, (byte) 0);
      }
    }
    return ShaCrypt.matches(password, bare);
  }

  /**
   * Whether a hash that just verified should be replaced: anything but Argon2id, or Argon2id below
   * {@code current} in any dimension.
   */
  public static boolean needsRehash(String stored, Argon2Cost current) {
    if (stored.regionMatches(true, 0, "{", 0, 1)) {
      return true; // Imports are rewritten to the native, unprefixed form.
    }
    return Argon2idHash.parse(stored).map(h -> !h.cost().atLeast(current)).orElse(true);
  }

  private static boolean isBcrypt(String bare) {
    if (bare.length() != 60 || !bare.startsWith("$2") || bare.charAt(3) != '$') {
      return false;
    }
    char minor = bare.charAt(2);
    if (minor != 'a' && minor != 'b' && minor != 'y') {
      return false;
    }
    try {
      int cost = Integer.parseInt(bare.substring(4, 6));
      return bare.charAt(6) == '$' && cost >= 4 && cost <= BCRYPT_MAX_COST;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static String stripPrefix(String stored) {
    if (!stored.startsWith("{")) {
      return stored;
    }
    int end = stored.indexOf('}');
    if (end < 0) {
      return "";
    }
    String bare = stored.substring(end + 1);
    return switch (stored.substring(1, end).toUpperCase(Locale.ROOT)) {
      case "ARGON2ID" -> bare.startsWith("$argon2id$") ? bare : "";
      case "BLF-CRYPT" -> bare.startsWith("$2") ? bare : "";
      case "SHA512-CRYPT" -> bare.startsWith("$6$") ? bare : "";
      default -> "";
    };
  }
}
