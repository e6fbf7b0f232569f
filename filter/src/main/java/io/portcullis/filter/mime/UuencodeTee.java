package io.portcullis.filter.mime;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes a text body through and keeps a copy of everything from the first line that starts like
 * {@code "begin 644 "} (a uuencoded file pasted into the text, as Outlook Express and old Unix
 * mailers sent attachments), up to a cap. Not thread-safe.
 */
final class UuencodeTee extends FilterInputStream {

  private static final byte[] BEGIN = {'b', 'e', 'g', 'i', 'n', ' '};

  private final int cap;
  private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
  private final byte[] line = new byte[BEGIN.length + 5]; // "begin 0644 "
  private int lineLength;
  private boolean keeping;

  UuencodeTee(InputStream in, int cap) {
    super(in);
    this.cap = cap;
  }

  /** What was kept from the first {@code begin} line on, or null if there was none. */
  byte[] kept() {
    return keeping ? kept.toByteArray() : null;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      see((byte) b);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    for (int i = 0; i < n; i++) {
      see(b[off + i]);
    }
    return n;
  }

  private void see(byte b) {
    if (keeping) {
      if (kept.size() < cap) {
        kept.write(b);
      }
      return;
    }
    if (b == '\n') {
      lineLength = 0;
      return;
    }
    if (lineLength < line.length) {
      line[lineLength++] = b;
      if (isBeginLine()) {
        keeping = true;
        kept.write(line, 0, lineLength);
      }
    }
  }

  /** "begin", a space, three or four octal digits (the mode) and a space. */
  private boolean isBeginLine() {
    if (lineLength < 10 || line[lineLength - 1] != ' ') {
      return false;
    }
    if (!java.util.Arrays.equals(line, 0, BEGIN.length, BEGIN, 0, BEGIN.length)) {
      return false;
    }
    for (int i = BEGIN.length; i < lineLength - 1; i++) {
      if (line[i] < '0' || line[i] > '7') {
        return false;
      }
    }
    return true;
  }
}
