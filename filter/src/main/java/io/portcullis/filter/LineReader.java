package io.portcullis.filter;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Reads raw lines with their terminators, byte for byte. Lines longer than {@link #MAX_SEGMENT}
 * come out as several segments; only the first segment of a line reports {@link Line#lineStart()}.
 * Supports one line of push-back. Not thread-safe.
 */
final class LineReader {

  static final int MAX_SEGMENT = 64 * 1024;

  /** A raw segment; {@code bytes} includes the terminator if there was one. */
  record Line(byte[] bytes, boolean lineStart) {
    /** The content without CR/LF and trailing whitespace, as ISO-8859-1 (for boundary tests). */
    String trimmed() {
      int end = bytes.length;
      while (end > 0
          && (bytes[end - 1] == '\n'
              || bytes[end - 1] == '\r'
              || bytes[end - 1] == ' '
              || bytes[end - 1] == '\t')) {
        end--;
      }
      return new String(bytes, 0, end, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    boolean blank() {
      return lineStart
          && trimmed().isEmpty()
          && bytes.length > 0
          && bytes[bytes.length - 1] == '\n';
    }

    boolean endsLine() {
      return bytes.length > 0 && bytes[bytes.length - 1] == '\n';
    }
  }

  private final InputStream in;
  private final byte[] buf = new byte[MAX_SEGMENT];
  private boolean atLineStart = true;
  private Line pushed;
  private int peeked = -2;

  LineReader(InputStream in) {
    this.in = in;
  }

  void pushBack(Line line) {
    if (pushed != null) {
      throw new IllegalStateException("one line of push-back only");
    }
    pushed = line;
  }

  /** The next segment, or null at end of input. */
  Line next() throws IOException {
    if (pushed != null) {
      Line l = pushed;
      pushed = null;
      return l;
    }
    int n = 0;
    while (n < buf.length) {
      int c;
      if (peeked != -2) {
        c = peeked;
        peeked = -2;
      } else {
        c = in.read();
      }
      if (c < 0) {
        break;
      }
      buf[n++] = (byte) c;
      if (c == '\n') {
        break;
      }
    }
    if (n == 0) {
      return null;
    }
    Line line = new Line(Arrays.copyOf(buf, n), atLineStart);
    atLineStart = buf[n - 1] == '\n';
    return line;
  }
}
