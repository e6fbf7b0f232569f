package io.portcullis.gateway.upstream;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes values as IMAP strings for the upstream (RFC 9051 §4.3): a quoted string when every
 * character is 7-bit and printable enough for one, escaping {@code "} and {@code \}, otherwise a
 * literal, so no credential can end or extend a command line (THREATS A3). Stateless.
 */
final class ImapStrings {
  /** Longer values go as literals: some servers cap quoted strings. */
  private static final int MAX_QUOTED = 1024;

  /** RFC 7888 §4: LITERAL- servers take non-synchronizing literals up to 4096 octets. */
  private static final int LITERAL_MINUS_MAX = 4096;

  /** How literals may be sent. */
  enum LiteralMode {
    /** {@code {n}}: wait for a continuation request. */
    SYNC,
    /** {@code {n+}} of any size (RFC 7888 LITERAL+). */
    NON_SYNC,
    /** {@code {n+}} up to 4096 octets, else synchronizing (RFC 7888 LITERAL-). */
    NON_SYNC_UP_TO_4096
  }

  private ImapStrings() {}

  /**
   * {@code tag LOGIN user password} as pieces: each piece but the last ends with a synchronizing
   * literal's {@code {n}CRLF} and the next must wait for the server's {@code +}.
   *
   * @throws IllegalArgumentException if a value holds CR, LF or NUL (check {@link
   *     UpstreamCredentials.Password#lineSafe()} first)
   */
  static List<String> loginCommand(String tag, String user, String password, LiteralMode mode) {
    List<String> pieces = new ArrayList<>();
    StringBuilder current = new StringBuilder(tag).append(" LOGIN ");
    current = append(pieces, current, user, mode);
    current.append(' ');
    current = append(pieces, current, password, mode);
    current.append("\r\n");
    pieces.add(current.toString());
    return pieces;
  }

  private static StringBuilder append(
      List<String> pieces, StringBuilder current, String value, LiteralMode mode) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException("value cannot be sent in IMAP");
      }
    }
    if (quotable(value)) {
      current.append('"');
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c == '"' || c == '\\') {
          current.append('\\');
        }
        current.append(c);
      }
      return current.append('"');
    }
    int size = value.getBytes(StandardCharsets.UTF_8).length;
    boolean nonSync =
        mode == LiteralMode.NON_SYNC
            || (mode == LiteralMode.NON_SYNC_UP_TO_4096 && size <= LITERAL_MINUS_MAX);
    if (nonSync) {
      return current.append('{').append(size).append("+}\r\n").append(value);
    }
    current.append('{').append(size).append("}\r\n");
    pieces.add(current.toString());
    return new StringBuilder(value);
  }

  /** Quoted strings carry 7-bit text without controls (RFC 3501 §9 QUOTED-CHAR, kept strict). */
  private static boolean quotable(String value) {
    if (value.length() > MAX_QUOTED) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }
}
