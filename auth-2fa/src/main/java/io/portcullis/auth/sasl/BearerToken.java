package io.portcullis.auth.sasl;

import java.util.Locale;
import java.util.Optional;

/** Parses an {@code auth=} value: {@code Bearer} SP b64token (RFC 6750 §2.1). Stateless. */
final class BearerToken {
  private BearerToken() {}

  /** The token, or empty when the scheme or the token syntax is wrong. */
  static Optional<String> parse(String authValue) {
    int space = authValue.indexOf(' ');
    if (space < 0 || !authValue.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")) {
      return Optional.empty();
    }
    int start = space;
    while (start < authValue.length() && authValue.charAt(start) == ' ') {
      start++;
    }
    String token = authValue.substring(start);
    return isB64Token(token) ? Optional.of(token) : Optional.empty();
  }

  private static boolean isB64Token(String token) {
    if (token.isEmpty()) {
      return false;
    }
    int i = 0;
    for (; i < token.length(); i++) {
      char c = token.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '.'
              || c == '_'
              || c == '~'
              || c == '+'
              || c == '/';
      if (!ok) {
        break;
      }
    }
    if (i == 0) {
      return false;
    }
    for (; i < token.length(); i++) {
      if (token.charAt(i) != '=') {
        return false;
      }
    }
    return true;
  }
}
