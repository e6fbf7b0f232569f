package io.portcullis.gateway.pop3;

import java.io.IOException;
import java.io.InputStream;

/**
 * The part of a message TOP returns (RFC 1939 §7): the header, the blank line after it, and at most
 * {@code lines} lines of the body. A bare LF ends a line as CRLF does. Stateless.
 */
final class TopStream {
  private TopStream() {}

  /** How many leading octets of the message {@code in} holds TOP returns. */
  static long length(InputStream in, int lines) throws IOException {
    InputStream buffered = new java.io.BufferedInputStream(in, 8192);
    long pos = 0;
    boolean inBody = false;
    int bodyLines = 0;
    int lineLength = 0;
    boolean lastWasCr = false;
    int b;
    while ((b = buffered.read()) >= 0) {
      pos++;
      if (b != '\n') {
        lineLength++;
        lastWasCr = b == '\r';
        continue;
      }
      if (inBody) {
        bodyLines++;
      } else if (lineLength == 0 || (lineLength == 1 && lastWasCr)) {
        inBody = true;
      }
      lineLength = 0;
      lastWasCr = false;
      if (inBody && bodyLines >= lines) {
        return pos;
      }
    }
    return pos;
  }

  /** {@code in}, cut after {@code length} octets. */
  static InputStream limit(InputStream in, long length) {
    return new InputStream() {
      private long left = length;

      @Override
      public int read() throws IOException {
        if (left <= 0) {
          return -1;
        }
        int b = in.read();
        if (b >= 0) {
          left--;
        }
        return b;
      }

      @Override
      public int read(byte[] buf, int off, int len) throws IOException {
        if (left <= 0) {
          return -1;
        }
        int n = in.read(buf, off, (int) Math.min(len, left));
        if (n > 0) {
          left -= n;
        }
        return n;
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }
}
