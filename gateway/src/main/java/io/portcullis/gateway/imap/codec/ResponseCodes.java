package io.portcullis.gateway.imap.codec;

import java.util.Locale;
import java.util.Optional;

/**
 * Reads a bracketed response code ({@code [UIDNEXT 12]}, {@code [CAPABILITY …]}; RFC 9051 §7.1) out
 * of a response line, for the places that only need its value. Stateless.
 */
public final class ResponseCodes {
  private ResponseCodes() {}

  /** The text of code {@code name} (upper case, e.g. {@code UIDNEXT}) in {@code line}, if any. */
  public static Optional<String> value(String line, String name) {
    String opening = "[" + name + " ";
    int start = line.toUpperCase(Locale.ROOT).indexOf(opening);
    int close = start < 0 ? -1 : line.indexOf(']', start + opening.length());
    return close < 0
        ? Optional.empty()
        : Optional.of(line.substring(start + opening.length(), close));
  }

  /** The number of code {@code name} in {@code line}, or 0 when it is absent or not a number. */
  public static long number(String line, String name) {
    Optional<String> text = value(line, name);
    if (text.isEmpty()) {
      return 0;
    }
    try {
      long n = Long.parseLong(text.get().trim());
      return n > 0 ? n : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
