package io.portcullis.filter.attachment;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** The inflate loop the readers share: fill a buffer of the declared size, no further. */
final class Inflating {

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
}
