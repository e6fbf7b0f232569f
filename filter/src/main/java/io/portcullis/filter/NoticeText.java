package io.portcullis.filter;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Quoted-printable (RFC 2045 §6.7) encoding of notice text with the message's own line ending. */
final class NoticeText {

  private NoticeText() {}

  static byte[] quotedPrintable(String text, String eol) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String line : text.split("\n", -1)) {
      byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
      int col = 0;
      for (int i = 0; i < bytes.length; i++) {
        int b = bytes[i] & 0xFF;
        boolean last = i == bytes.length - 1;
        String piece;
        if (b >= 33 && b <= 126 && b != '=' || (b == ' ' || b == '\t') && !last) {
          piece = String.valueOf((char) b);
        } else {
          piece = String.format("=%02X", b);
        }
        if (col + piece.length() > 75) {
          out.writeBytes(("=" + eol).getBytes(StandardCharsets.US_ASCII));
          col = 0;
        }
        out.writeBytes(piece.getBytes(StandardCharsets.US_ASCII));
        col += piece.length();
      }
      out.writeBytes(eol.getBytes(StandardCharsets.US_ASCII));
    }
    return out.toByteArray();
  }

  /** A header-safe rendering: ASCII printable only, bounded. */
  static String headerSafe(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 200; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString();
  }
}
