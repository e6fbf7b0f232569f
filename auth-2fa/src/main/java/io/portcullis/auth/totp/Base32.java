package io.portcullis.auth.totp;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * RFC 4648 §6 base32, as used for TOTP secrets in otpauth URIs (upper case, no padding). Stateless.
 */
public final class Base32 {
  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Base32() {}

  /** Encodes without padding, as authenticator apps expect. */
  public static String encode(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 0x1f));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 0x1f));
    }
    return out.toString();
  }

  /**
   * Decodes case-insensitively, with or without trailing {@code =} padding; spaces are ignored
   * because people copy secrets in groups of four.
   *
   * @throws IllegalArgumentException on a character outside the alphabet or non-zero trailing bits
   */
  public static byte[] decode(String text) {
    String s = text.replace(" ", "").toUpperCase(Locale.ROOT);
    int end = s.length();
    while (end > 0 && s.charAt(end - 1) == '=') {
      end--;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(end * 5 / 8);
    int buffer = 0;
    int bits = 0;
    for (int i = 0; i < end; i++) {
      int value = ALPHABET.indexOf(s.charAt(i));
      if (value < 0) {
        throw new IllegalArgumentException("not a base32 character at position " + i);
      }
      buffer = (buffer << 5) | value;
      bits += 5;
      if (bits >= 8) {
        out.write((buffer >> (bits - 8)) & 0xff);
        bits -= 8;
      }
    }
    if (bits >= 5 || (buffer & ((1 << bits) - 1)) != 0) {
      throw new IllegalArgumentException("base32 text has a dangling or non-zero tail");
    }
    return out.toByteArray();
  }
}
