package io.portcullis.auth.sasl;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Strict UTF-8 and identity checks shared by the mechanisms. Stateless. */
final class Text {
  /** RFC 4616 §2 lets servers cap identities; 255 octets is the minimum it requires us to take. */
  static final int MAX_IDENTITY_BYTES = 1024;

  private Text() {}

  /** Decodes strict UTF-8 (malformed or overlong sequences are refused, RFC 3629). */
  static Optional<String> utf8(byte[] bytes, int from, int to) {
    try {
      return Optional.of(
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, from, to - from))
              .toString());
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
  }

  /**
   * An identity (user name, authzid) that is safe to log and to send upstream: strict UTF-8,
   * bounded, no control characters (THREATS P3, A3).
   */
  static Optional<String> identity(byte[] bytes, int from, int to) {
    if (to - from > MAX_IDENTITY_BYTES) {
      return Optional.empty();
    }
    return utf8(bytes, from, to).filter(Text::hasNoControls);
  }

  static boolean hasNoControls(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
        return false;
      }
    }
    return true;
  }

  static int indexOf(byte[] bytes, byte b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
