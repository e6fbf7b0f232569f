package io.portcullis.auth;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * A password, token or code held as a {@code char[]} that can be wiped and never prints itself.
 * Thread-safe; once {@link #destroy() destroyed} every read fails.
 */
public final class Secret {
  private final char[] value;
  private volatile boolean destroyed;

  private Secret(char[] value) {
    this.value = value;
  }

  /** Copies {@code chars}; the caller may wipe its own array afterwards. */
  public static Secret of(char[] chars) {
    return new Secret(chars.clone());
  }

  /** Wraps a string (for values that already live as strings, such as decoded tokens). */
  public static Secret of(String value) {
    return new Secret(value.toCharArray());
  }

  /** Decodes strict UTF-8 bytes; the caller should wipe {@code utf8} afterwards. */
  public static Secret ofUtf8(byte[] utf8) {
    CharBuffer decoded = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(utf8));
    char[] chars = Arrays.copyOfRange(decoded.array(), decoded.position(), decoded.limit());
    Arrays.fill(decoded.array(), '\0');
    return new Secret(chars);
  }

  /** A copy of the characters; wipe it after use. */
  public char[] chars() {
    checkAlive();
    return value.clone();
  }

  /** The UTF-8 encoding; wipe it after use. */
  public byte[] utf8() {
    checkAlive();
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(value));
    byte[] bytes = Arrays.copyOfRange(encoded.array(), encoded.position(), encoded.limit());
    Arrays.fill(encoded.array(), (byte) 0);
    return bytes;
  }

  /** The secret as a string, for APIs that only take strings (JWT parsing); avoid elsewhere. */
  public String reveal() {
    checkAlive();
    return new String(value);
  }

  /** Number of characters. */
  public int length() {
    return value.length;
  }

  /** Constant-time comparison of the UTF-8 encodings. */
  public boolean matches(Secret other) {
    byte[] a = utf8();
    byte[] b = other.utf8();
    try {
      return MessageDigest.isEqual(a, b);
    } finally {
      Arrays.fill(a, (byte) 0);
      Arrays.fill(b, (byte) 0);
    }
  }

  /** Overwrites the characters; later reads throw {@link IllegalStateException}. */
  public void destroy() {
    destroyed = true;
    Arrays.fill(value, '\0');
  }

  public boolean isDestroyed() {
    return destroyed;
  }

  private void checkAlive() {
    if (destroyed) {
      throw new IllegalStateException("secret was destroyed");
    }
  }

  @Override
  public String toString() {
    return "Secret[redacted]";
  }
}
