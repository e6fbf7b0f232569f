package io.portcullis.filter.io;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Counts bytes read and calls a budget after each read so that expansion of nested content stops as
 * soon as a limit is passed, before the bytes are materialised. Not thread-safe.
 */
public final class CountingLimitStream extends FilterInputStream {

  /** Told how many bytes were just read; throws to stop the read. */
  @FunctionalInterface
  public interface Budget {
    void consumed(long bytes) throws IOException;
  }

  private final Budget budget;
  private long count;

  public CountingLimitStream(InputStream in, Budget budget) {
    super(in);
    this.budget = budget;
  }

  @Override
  public int read() throws IOException {
    int b = super.read();
    if (b >= 0) {
      count++;
      budget.consumed(1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = super.read(b, off, len);
    if (n > 0) {
      count += n;
      budget.consumed(n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    // Skipping still expands compressed data, so it is read (and counted) rather than skipped.
    byte[] scratch = new byte[8192];
    long total = 0;
    while (total < n) {
      int r = read(scratch, 0, (int) Math.min(scratch.length, n - total));
      if (r < 0) {
        break;
      }
      total += r;
    }
    return total;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  /** Bytes read so far. */
  public long count() {
    return count;
  }
}
