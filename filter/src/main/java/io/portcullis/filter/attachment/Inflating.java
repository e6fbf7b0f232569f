package io.portcullis.filter.attachment;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The inflate loop the readers share: fill a buffer of the declared size, no further. */
final class Inflating {

  private static final int STEP = 4096;

  private Inflating() {}

  /**
   * Inflates into {@code out} until it is full, the stream ends, or the input runs out.
   *
   * @return the bytes written, fewer than {@code out.length} when the stream was short
   */
  static int fill(Inflater inflater, byte[] out) throws DataFormatException {
    int n = 0;
    while (n < out.length && !inflater.finished()) {
      int k = inflater.inflate(out, n, out.length - n);
      if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
        break;
      }
      n += k;
    }
    return n;
  }

  /**
   * Like {@link #fill}, but a data error (a bad Adler-32 trailer, garbage after the data) ends the
   * output where it happened instead of discarding it: Office keeps such objects, so must we.
   */
  static int fillUntilError(Inflater inflater, byte[] out) {
    int n = 0;
    try {
      while (n < out.length && !inflater.finished()) {
        // Small steps: a call that throws does not say how much it wrote before the error.
        int k = inflater.inflate(out, n, Math.min(STEP, out.length - n));
        if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        n += k;
      }
    } catch (DataFormatException e) {
      // What was inflated before the error stands.
    }
    return n;
  }
}
