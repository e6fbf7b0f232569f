package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Finds active content in a PDF by its name tokens ({@code /JavaScript}, {@code /JS}, {@code
 * /Launch}, {@code /OpenAction}, {@code /AA}, {@code /EmbeddedFile}, {@code /Encrypt}), with {@code
 * #xx} escapes decoded and Flate-compressed streams (object streams) inflated within a budget.
 * Thread-safe.
 */
final class PdfInspector {

  static final Set<String> ACTIVE = Set.of("JavaScript", "JS", "Launch");
  private static final Set<String> INTERESTING =
      Set.of(
          "JavaScript", "JS", "Launch", "OpenAction", "AA", "EmbeddedFile", "Encrypt", "RichMedia");
  private static final int MAX_RAW = 64 << 20;
  private static final long MAX_INFLATED = 64L << 20;
  private static final int MAX_STREAMS = 10_000;

  private PdfInspector() {}

  /** The interesting names found (without the slash). */
  static Set<String> scan(InputStream in) throws IOException {
    byte[] raw = in.readNBytes(MAX_RAW);
    Set<String> found = new TreeSet<>();
    names(raw, 0, raw.length, found);
    long inflatedTotal = 0;
    int streams = 0;
    int i = 0;
    while ((i = indexOf(raw, STREAM, i)) >= 0 && streams++ < MAX_STREAMS) {
      int start = i + STREAM.length;
      if (start < raw.length && raw[start] == '\r') {
        start++;
      }
      if (start < raw.length && raw[start] == '\n') {
        start++;
      }
      int end = indexOf(raw, ENDSTREAM, start);
      if (end < 0) {
        break;
      }
      if (inflatedTotal < MAX_INFLATED) {
        byte[] inflated = inflate(raw, start, end - start, MAX_INFLATED - inflatedTotal);
        inflatedTotal += inflated.length;
        names(inflated, 0, inflated.length, found);
      }
      i = end + ENDSTREAM.length;
    }
    return found;
  }

  private static final byte[] STREAM =
      "stream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ENDSTREAM =
      "endstream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static byte[] inflate(byte[] data, int off, int len, long budget) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, off, len);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16384];
      while (!inflater.finished() && out.size() < budget) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      return new byte[0]; // not a Flate stream (images, other filters): nothing to scan
    } finally {
      inflater.end();
    }
  }

  private static void names(byte[] b, int from, int to, Set<String> found) {
    for (int i = from; i < to; i++) {
      if (b[i] != '/') {
        continue;
      }
      StringBuilder name = new StringBuilder();
      int j = i + 1;
      while (j < to && name.length() < 32) {
        int c = b[j] & 0xFF;
        if (c == '#' && j + 2 < to && hex(b[j + 1]) >= 0 && hex(b[j + 2]) >= 0) {
          name.append((char) (hex(b[j + 1]) * 16 + hex(b[j + 2])));
          j += 3;
        } else if (Character.isLetterOrDigit(c) && c < 128) {
          name.append((char) c);
          j++;
        } else {
          break;
        }
      }
      if (INTERESTING.contains(name.toString())) {
        found.add(name.toString());
      }
      i = j - 1;
    }
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
