package io.portcullis.gateway.imap.codec;

/**
 * A literal announced at the end of a line: {@code {n}}, {@code {n+}} (RFC 7888), {@code ~{n}} (RFC
 * 3516 literal8). Immutable.
 *
 * @param size octets that follow the line's CRLF
 * @param synchronizing whether the sender waits for a {@code +} continuation first
 * @param binary whether it is a {@code literal8}, which may carry NUL
 */
public record ImapLiteral(long size, boolean synchronizing, boolean binary) {
  /** RFC 9051 §9: {@code number = 1*DIGIT}, an unsigned 32-bit integer. */
  public static final long MAX_SIZE = 4_294_967_295L;

  /** Ten digits hold every valid size; more are refused before any arithmetic (THREATS P2). */
  private static final int MAX_DIGITS = 10;

  /** What a line ends with. */
  public sealed interface Marker {}

  /** The line ends without a literal. */
  public record None() implements Marker {}

  /** The line announces a literal. */
  public record Announced(ImapLiteral literal) implements Marker {}

  /**
   * The line ends like a literal whose size is absurd (too many digits, over {@link #MAX_SIZE}).
   *
   * @param synchronizing whether the sender would wait for a continuation
   */
  public record Absurd(boolean synchronizing) implements Marker {}

  private static final Marker NONE = new None();

  public ImapLiteral {
    if (size < 0 || size > MAX_SIZE) {
      throw new IllegalArgumentException("literal size out of range");
    }
  }

  /**
   * Looks at the end of a line (without CRLF) for {@code {n}}, {@code {n+}}, {@code ~{n}} or {@code
   * ~{n+}}. Digits are counted before they are converted, so a 20-digit size costs nothing.
   */
  public static Marker at(CharSequence line) {
    int end = line.length();
    if (end < 3 || line.charAt(end - 1) != '}') {
      return NONE;
    }
    int i = end - 2;
    boolean nonSync = line.charAt(i) == '+';
    if (nonSync) {
      i--;
    }
    int lastDigit = i;
    while (i >= 0 && isDigit(line.charAt(i))) {
      i--;
    }
    int digits = lastDigit - i;
    if (digits == 0 || i < 0 || line.charAt(i) != '{') {
      return NONE;
    }
    boolean binary = i > 0 && line.charAt(i - 1) == '~';
    if (digits > MAX_DIGITS) {
      return new Absurd(!nonSync);
    }
    long size = 0;
    for (int j = i + 1; j <= lastDigit; j++) {
      size = size * 10 + (line.charAt(j) - '0');
    }
    if (size > MAX_SIZE) {
      return new Absurd(!nonSync);
    }
    return new Announced(new ImapLiteral(size, !nonSync, binary));
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
