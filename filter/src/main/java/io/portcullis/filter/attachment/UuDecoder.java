package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decodes uuencoded files ({@code begin 644 name} … {@code end}, POSIX {@code uuencode}): what mail
 * sent as {@code x-uuencode} or pasted into a text body carries. Each block is one member.
 * Stateless, thread-safe.
 */
final class UuDecoder {

  private static final Pattern BEGIN =
      Pattern.compile("(?m)^begin [0-7]{3,4} ([^\\r\\n]{1,255})\\r?$");
  private static final int MAX_BLOCKS = 100;

  private UuDecoder() {}

  /** Whether the text opens (after blank lines) with a {@code begin} line. */
  static boolean startsBlock(byte[] prefix) {
    String head = new String(prefix, 0, Math.min(prefix.length, 512), StandardCharsets.ISO_8859_1);
    Matcher m = BEGIN.matcher(head.stripLeading());
    return m.lookingAt();
  }

  /**
   * Every block in the text, named by its {@code begin} line.
   *
   * @param maxExpanded bytes all blocks together may decode to
   * @throws AttachmentInspector.BombException if they decode to more
   * @throws IOException if a block has no {@code end} or a line is not uuencoded
   */
  static ListedArchive decode(byte[] text, long maxExpanded) throws IOException {
    String s = new String(text, StandardCharsets.ISO_8859_1);
    Matcher m = BEGIN.matcher(s);
    List<ListedArchive.Entry> entries = new ArrayList<>();
    long total = 0;
    int from = 0;
    while (entries.size() < MAX_BLOCKS && m.find(from)) {
      String name = m.group(1).strip();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int newline = s.indexOf('\n', m.end());
      int pos = newline < 0 ? s.length() : newline + 1;
      boolean ended = false;
      while (pos < s.length()) {
        int eol = s.indexOf('\n', pos);
        int next = eol < 0 ? s.length() : eol + 1;
        String line = s.substring(pos, eol < 0 ? s.length() : eol).stripTrailing();
        pos = next;
        // POSIX ends the data with a zero-length line ("`", or a space that trailing-space
        // stripping leaves empty) before "end"; files that lose "end" still have that line.
        if (line.equals("end") || line.equals("`") || line.isEmpty()) {
          ended = true;
          break;
        }
        decodeLine(line, out);
        if (total + out.size() > maxExpanded) {
          throw new AttachmentInspector.BombException(
              "uuencoded data decodes to more than " + maxExpanded + " bytes");
        }
      }
      if (!ended) {
        throw new IOException("uuencode: block cut off before its last line");
      }
      total += out.size();
      entries.add(new ListedArchive.Entry(name, false, false, out.toByteArray()));
      from = pos;
    }
    if (entries.isEmpty()) {
      throw new IOException("uuencode: no begin line");
    }
    return new ListedArchive(entries, false);
  }

  /** One line: a length character, then groups of four characters for three bytes each. */
  private static void decodeLine(String line, ByteArrayOutputStream out) throws IOException {
    int length = (line.charAt(0) - ' ') & 0x3F;
    int needed = (length + 2) / 3 * 4;
    if (line.length() - 1 < needed) {
      // Some encoders drop trailing spaces; they stand for zero bits.
      line = line + " ".repeat(needed - (line.length() - 1));
    }
    int written = 0;
    for (int i = 1; written < length; i += 4) {
      int[] v = new int[4];
      for (int k = 0; k < 4; k++) {
        char c = line.charAt(i + k);
        if (c < ' ' || c > '`') {
          throw new IOException("uuencode: character outside the alphabet");
        }
        v[k] = (c - ' ') & 0x3F;
      }
      int[] bytes = {
        (v[0] << 2) | (v[1] >> 4), ((v[1] & 0xF) << 4) | (v[2] >> 2), ((v[2] & 0x3) << 6) | v[3]
      };
      for (int k = 0; k < 3 && written < length; k++, written++) {
        out.write(bytes[k]);
      }
    }
  }
}
