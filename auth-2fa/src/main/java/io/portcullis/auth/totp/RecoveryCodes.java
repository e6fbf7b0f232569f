package io.portcullis.auth.totp;

import io.portcullis.auth.password.TokenDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One-time recovery codes: 80 random bits each, shown once as {@code xxxx-xxxx-xxxx-xxxx}, stored
 * as {@link TokenDigest}s. Stateless; single use is enforced by removing the digest from the
 * directory.
 */
public final class RecoveryCodes {
  /** How many codes an enrolment yields. */
  public static final int COUNT = 10;

  /** A code at the end of a password field, with an optional separator before it. */
  public static final Pattern SUFFIX =
      Pattern.compile("([a-zA-Z2-7]{4}-[a-zA-Z2-7]{4}-[a-zA-Z2-7]{4}-[a-zA-Z2-7]{4})$");

  private RecoveryCodes() {}

  /** {@link #COUNT} new codes, for display only. */
  public static List<String> generate(SecureRandom random) {
    List<String> codes = new ArrayList<>(COUNT);
    for (int i = 0; i < COUNT; i++) {
      byte[] bits = new byte[10];
      random.nextBytes(bits);
      String s = Base32.encode(bits).toLowerCase(Locale.ROOT);
      codes.add(
          s.substring(0, 4)
              + "-"
              + s.substring(4, 8)
              + "-"
              + s.substring(8, 12)
              + "-"
              + s.substring(12, 16));
    }
    return List.copyOf(codes);
  }

  /** The digest to store for {@code code}. */
  public static String digest(String code) {
    return TokenDigest.digest(normalize(code));
  }

  /**
   * The stored digest that {@code presented} matches, comparing against every digest in constant
   * time; the caller removes it to spend the code.
   */
  public static Optional<String> match(String presented, List<String> digests) {
    return TokenDigest.match(normalize(presented), digests);
  }

  private static String normalize(String code) {
    return code.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
  }
}
