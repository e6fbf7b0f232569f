package io.portcullis.auth.password;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * An Argon2id hash in PHC string format ({@code $argon2id$v=19$m=..,t=..,p=..$salt$hash}, base64
 * without padding), as written by the reference implementation and libsodium. Immutable.
 */
record Argon2idHash(Argon2Cost cost, byte[] salt, byte[] hash) {
  private static final Pattern PHC =
      Pattern.compile(
          "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,2}),p=(\\d{1,2})"
              + "\\$([A-Za-z0-9+/]{11,64})\\$([A-Za-z0-9+/]{16,128})");
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  static final int SALT_BYTES = 16;
  static final int HASH_BYTES = 32;

  /** Parses a PHC string; empty if it is not Argon2id v1.3 or its cost is out of range. */
  static Optional<Argon2idHash> parse(String phc) {
    Matcher m = PHC.matcher(phc);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      Argon2Cost cost =
          new Argon2Cost(
              Integer.parseInt(m.group(1)),
              Integer.parseInt(m.group(2)),
              Integer.parseInt(m.group(3)));
      return Optional.of(
          new Argon2idHash(cost, DECODER.decode(m.group(4)), DECODER.decode(m.group(5))));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Hashes {@code password} (UTF-8 bytes) with a fresh salt. */
  static Argon2idHash create(byte[] password, byte[] salt, Argon2Cost cost) {
    return new Argon2idHash(cost, salt.clone(), derive(password, salt, cost, HASH_BYTES));
  }

  /** Constant-time check of {@code password} against this hash. */
  boolean matches(byte[] password) {
    byte[] candidate = derive(password, salt, cost, hash.length);
    try {
      return MessageDigest.isEqual(candidate, hash);
    } finally {
      Arrays.fill(candidate, (byte) 0);
    }
  }

  String format() {
    return "$argon2id$v=19$m="
        + cost.memoryKib()
        + ",t="
        + cost.iterations()
        + ",p="
        + cost.parallelism()
        + "$"
        + ENCODER.encodeToString(salt)
        + "$"
        + ENCODER.encodeToString(hash);
  }

  static byte[] derive(byte[] password, byte[] salt, Argon2Cost cost, int length) {
    Argon2Parameters parameters =
        new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
            .withVersion(Argon2Parameters.ARGON2_VERSION_13)
            .withSalt(salt)
            .withMemoryAsKB(cost.memoryKib())
            .withIterations(cost.iterations())
            .withParallelism(cost.parallelism())
            .build();
    Argon2BytesGenerator generator = new Argon2BytesGenerator();
    generator.init(parameters);
    byte[] out = new byte[length];
    generator.generateBytes(password, out);
    return out;
  }

  @Override
  public String toString() {
    return "Argon2idHash[" + cost + "]";
  }
}
