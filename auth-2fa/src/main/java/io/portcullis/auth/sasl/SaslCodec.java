package io.portcullis.auth.sasl;

import java.util.Base64;

/**
 * The one place that turns client SASL lines into bytes and challenges into lines: base64 (RFC 4648
 * §4), {@code *} cancel (RFC 4422 §3.5), {@code =} empty initial response (RFC 4959, RFC 5034).
 * Stateless.
 */
public final class SaslCodec {
  private SaslCodec() {}

  /** A decoded client line. */
  public sealed interface Decoded {
    /** The decoded response bytes. */
    record Data(byte[] bytes) implements Decoded {}

    /** The client sent {@code *}. */
    record Cancel() implements Decoded {}

    /**
     * The line was not acceptable.
     *
     * @param reason audit reason code
     */
    record Malformed(String reason) implements Decoded {}
  }

  /** Decodes a continuation response line (without CRLF); an empty line is an empty response. */
  public static Decoded decodeResponse(String line, int maxBytes) {
    if (line.equals("*")) {
      return new Decoded.Cancel();
    }
    return decodeBase64(line, maxBytes);
  }

  /** Decodes an initial response from AUTHENTICATE/AUTH, where {@code =} stands for empty. */
  public static Decoded decodeInitial(String argument, int maxBytes) {
    if (argument.equals("=")) {
      return new Decoded.Data(new byte[0]);
    }
    if (argument.isEmpty()) {
      // An empty initial response must be sent as "=" (RFC 4959 §3, RFC 5034 §4).
      return new Decoded.Malformed("bad-base64");
    }
    if (argument.equals("*")) {
      return new Decoded.Cancel();
    }
    return decodeBase64(argument, maxBytes);
  }

  /** Encodes a server challenge for a {@code + } (IMAP) or {@code + } (POP3) continuation line. */
  public static String encodeChallenge(byte[] challenge) {
    return Base64.getEncoder().encodeToString(challenge);
  }

  private static Decoded decodeBase64(String text, int maxBytes) {
    // Refuse before decoding so that an oversized line never allocates its decoded form.
    long maxChars = 4L * ((maxBytes + 2L) / 3L);
    if (text.length() > maxChars) {
      return new Decoded.Malformed("response-too-long");
    }
    if (text.length() % 4 != 0) {
      return new Decoded.Malformed("bad-base64");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      boolean alphabet =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '+'
              || c == '/'
              || c == '=';
      if (!alphabet) {
        return new Decoded.Malformed("bad-base64");
      }
    }
    try {
      byte[] bytes = Base64.getDecoder().decode(text);
      if (bytes.length > maxBytes) {
        return new Decoded.Malformed("response-too-long");
      }
      return new Decoded.Data(bytes);
    } catch (IllegalArgumentException e) {
      return new Decoded.Malformed("bad-base64");
    }
  }
}
