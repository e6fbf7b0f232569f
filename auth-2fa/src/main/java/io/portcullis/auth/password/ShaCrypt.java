package io.portcullis.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * glibc SHA-512 crypt ({@code $6$}), as specified by Ulrich Drepper's "Unix crypt using SHA-256 and
 * SHA-512" (the algorithm of Dovecot's {@code {SHA512-CRYPT}}). Verification only. Stateless.
 */
final class ShaCrypt {
  private static final Pattern SETTING =
      Pattern.compile("\\$6\\$(?:rounds=(\\d{1,9})\\$)?([^$]{0,16})[^$]*\\$([./0-9A-Za-z]{86})");
  private static final String ALPHABET =
      "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static final int DEFAULT_ROUNDS = 5000;
  static final int MIN_ROUNDS = 1000;

  /** Imported hashes above this are refused: the spec allows 999,999,999, a CPU exhaustion. */
  static final int MAX_ROUNDS = 5_000_000;

  private static final int[][] ORDER = {
    {0, 21, 42},
    {22, 43, 1},
    {44, 2, 23},
    {3, 24, 45},
    {25, 46, 4},
    {47, 5, 26},
    {6, 27, 48},
    {28, 49, 7},
    {50, 8, 29},
    {9, 30, 51},
    {31, 52, 10},
    {53, 11, 32},
    {12, 33, 54},
    {34, 55, 13},
    {56, 14, 35},
    {15, 36, 57},
    {37, 58, 16},
    {59, 17, 38},
    {18, 39, 60},
    {40, 61, 19},
    {62, 20, 41}
  };

  private ShaCrypt() {}

  /** Whether {@code stored} is a well-formed {@code $6$} hash this class can check. */
  static boolean isShaCrypt(String stored) {
    Matcher m = SETTING.matcher(stored);
    return m.matches() && rounds(m).isPresent();
  }

  /** Constant-time check of {@code password} (UTF-8) against a {@code $6$} hash. */
  static boolean matches(byte[] password, String stored) {
    Matcher m = SETTING.matcher(stored);
    if (!m.matches()) {
      return false;
    }
    Optional<Integer> rounds = rounds(m);
    if (rounds.isEmpty()) {
      return false;
    }
    String computed =
        crypt(
            password,
            m.group(2).getBytes(StandardCharsets.UTF_8),
            rounds.get(),
            m.group(1) != null);
    return MessageDigest.isEqual(
        computed.getBytes(StandardCharsets.US_ASCII), stored.getBytes(StandardCharsets.US_ASCII));
  }

  private static Optional<Integer> rounds(Matcher m) {
    if (m.group(1) == null) {
      return Optional.of(DEFAULT_ROUNDS);
    }
    int rounds = Math.max(MIN_ROUNDS, Integer.parseInt(m.group(1)));
    return rounds > MAX_ROUNDS ? Optional.empty() : Optional.of(rounds);
  }

  /** The full crypt string for {@code password} with {@code salt} (at most 16 bytes used). */
  static String crypt(byte[] password, byte[] salt, int rounds, boolean roundsExplicit) {
    MessageDigest sha = sha512();
    byte[] s = Arrays.copyOf(salt, Math.min(16, salt.length));
    int pl = password.length;

    // Digest B = SHA512(P S P).
    sha.update(password);
    sha.update(s);
    sha.update(password);
    byte[] b = sha.digest();

    // Digest A = SHA512(P S B-repeated-to-len(P) then per bit of len(P): B or P).
    sha.update(password);
    sha.update(s);
    int remaining = pl;
    for (; remaining > 64; remaining -= 64) {
      sha.update(b);
    }
    sha.update(b, 0, remaining);
    for (int bits = pl; bits > 0; bits >>= 1) {
      if ((bits & 1) != 0) {
        sha.update(b);
      } else {
        sha.update(password);
      }
    }
    byte[] a = sha.digest();

    // P sequence: DP = SHA512(P repeated len(P) times), cut/repeated to len(P).
    for (int i = 0; i < pl; i++) {
      sha.update(password);
    }
    byte[] p = repeat(sha.digest(), pl);

    // S sequence: DS = SHA512(S repeated 16 + A[0] times), cut to len(S).
    for (int i = 0; i < 16 + (a[0] & 0xff); i++) {
      sha.update(s);
    }
    byte[] sSeq = repeat(sha.digest(), s.length);

    byte[] c = a;
    for (int i = 0; i < rounds; i++) {
      if ((i & 1) != 0) {
        sha.update(p);
      } else {
        sha.update(c);
      }
      if (i % 3 != 0) {
        sha.update(sSeq);
      }
      if (i % 7 != 0) {
        sha.update(p);
      }
      if ((i & 1) != 0) {
        sha.update(c);
      } else {
        sha.update(p);
      }
      c = sha.digest();
    }
    Arrays.fill(p, (byte) 0);

    StringBuilder out = new StringBuilder("$6$");
    if (roundsExplicit) {
      out.append("rounds=").append(rounds).append('$');
    }
    out.append(new String(s, StandardCharsets.UTF_8)).append('$');
    for (int[] group : ORDER) {
      encode(out, c[group[0]], c[group[1]], c[group[2]], 4);
    }
    encode(out, (byte) 0, (byte) 0, c[63], 2);
    return out.toString();
  }

  private static void encode(StringBuilder out, byte b2, byte b1, byte b0, int chars) {
    int w = ((b2 & 0xff) << 16) | ((b1 & 0xff) << 8) | (b0 & 0xff);
    for (int i = 0; i < chars; i++) {
      out.append(ALPHABET.charAt(w & 0x3f));
      w >>>= 6;
    }
  }

  private static byte[] repeat(byte[] digest, int length) {
    byte[] out = new byte[length];
    for (int i = 0; i < length; i++) {
      out[i] = digest[i % digest.length];
    }
    return out;
  }

  private static MessageDigest sha512() {
    try {
      return MessageDigest.getInstance("SHA-512");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-512 is required of every JDK", e);
    }
  }
}
