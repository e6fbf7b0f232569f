package io.portcullis.bench.load;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads protocol lines, IMAP literals and POP3 dot-terminated bodies from a stream through one
 * buffer, counting body bytes without keeping them. Not thread-safe; one per connection.
 */
final class WireReader {
  /** Longest line accepted from a server (RFC 9051 §4 sets none; 64 KiB is plenty for a bench). */
  static final int MAX_LINE = 64 * 1024;

  private final InputStream in;
  private final byte[] buf;
  private int pos;
  private int limit;

  WireReader(InputStream in, int bufferSize) {
    this.in = in;
    this.buf = new byte[bufferSize];
  }

  /** The next line without its CRLF (or bare LF), as ISO-8859-1 so every byte survives. */
  String readLine() throws IOException {
    StringBuilder line = null;
    while (true) {
      if (pos == limit) {
        fill();
      }
      int start = pos;
      while (pos < limit && buf[pos] != '\n') {
        pos++;
      }
      int end = pos;
      boolean complete = pos < limit;
      if (complete) {
        pos++; // the LF
      }
      if (line == null && complete) {
        int stop = end > start && buf[end - 1] == '\r' ? end - 1 : end;
        return new String(buf, start, stop - start, StandardCharsets.ISO_8859_1);
      }
      if (line == null) {
        line = new StringBuilder(128);
      }
      line.append(new String(buf, start, end - start, StandardCharsets.ISO_8859_1));
      if (line.length() > MAX_LINE) {
        throw new IOException("server line longer than " + MAX_LINE + " bytes");
      }
      if (complete) {
        int n = line.length();
        if (n > 0 && line.charAt(n - 1) == '\r') {
          line.setLength(n - 1);
        }
        return line.toString();
      }
    }
  }

  /**
   * Blocks until at least one more byte has arrived (without consuming it): the moment a message's
   * first content byte is on the client's side, for time-to-first-byte figures.
   */
  void awaitByte() throws IOException {
    if (pos == limit) {
      fill();
    }
  }

  /** Reads and discards exactly {@code n} bytes (an IMAP literal). */
  void skip(long n) throws IOException {
    long left = n;
    while (left > 0) {
      if (pos == limit) {
        fill();
      }
      int take = (int) Math.min(left, limit - pos);
      pos += take;
      left -= take;
    }
  }

  /**
   * Reads a POP3 multi-line body (RFC 1939 §3) up to and including the line holding only ".", and
   * returns how many bytes it took on the wire, terminator included.
   */
  long skipDotBody() throws IOException {
    // States as in the gateway's framer: 0 line start, 1 mid-line, 2 after ".", 3 after ".\r".
    int state = 0;
    long bytes = 0;
    while (true) {
      if (pos == limit) {
        fill();
      }
      int start = pos;
      while (pos < limit) {
        byte b = buf[pos++];
        switch (state) {
          case 0 -> state = b == '.' ? 2 : (b == '\n' ? 0 : 1);
          case 1 -> state = b == '\n' ? 0 : 1;
          case 2, 3 -> {
            if (b == '\n') {
              return bytes + (pos - start);
            }
            state = state == 2 && b == '\r' ? 3 : 1;
          }
          default -> throw new IllegalStateException();
        }
      }
      bytes += pos - start;
    }
  }

  private void fill() throws IOException {
    int n = in.read(buf, 0, buf.length);
    if (n < 0) {
      throw new EOFException("server closed the connection");
    }
    pos = 0;
    limit = n;
  }
}
