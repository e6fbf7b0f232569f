package io.portcullis.auth;

import io.portcullis.auth.totp.Base32;
import java.security.SecureRandom;
import java.util.Locale;

/**
 * App password values: 100 random bits as {@code xxxx-xxxx-xxxx-xxxx-xxxx} (base32, lower case).
 * Dashes, spaces and case are ignored when checking, since people retype them. Stateless.
 */
final class AppPasswords {
  private AppPasswords() {}

  static String generate(SecureRandom random) {
    byte[] bits = new byte[13]; // 104 bits, 20 base32 characters shown (100 bits)
    random.nextBytes(bits);
    String s = Base32.encode(bits).toLowerCase(Locale.ROOT).substring(0, 20);
    return String.join(
        "-",
        s.substring(0, 4),
        s.substring(4, 8),
        s.substring(8, 12),
        s.substring(12, 16),
        s.substring(16, 20));
  }

  static String normalize(String typed) {
    return typed.replace("-", "").replace(" ", "").toLowerCase(Locale.ROOT);
  }
}
