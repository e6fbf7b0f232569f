package io.portcullis.bench.load;

import java.util.Arrays;

/**
 * Latency samples in nanoseconds and their nearest-rank percentiles. Thread-safe: recording is
 * synchronized, which costs nothing next to a network round trip.
 */
final class Latencies {
  private long[] samples = new long[1024];
  private int size;

  synchronized void record(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  /** Records every sample of this set into {@code other} as well. */
  void copyTo(Latencies other) {
    long[] copy;
    synchronized (this) {
      copy = Arrays.copyOf(samples, size);
    }
    for (long nanos : copy) {
      other.record(nanos);
    }
  }

  synchronized int count() {
    return size;
  }

  /** The nearest-rank percentile (0 < p <= 100) in milliseconds, or NaN without samples. */
  synchronized double percentileMillis(double p) {
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be in (0, 100]");
    }
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(rank, 1) - 1] / 1e6;
  }

  /** {@code {"p50":…,"p90":…,"p99":…,"max":…,"n":…}} in milliseconds. */
  Json.Obj summary() {
    return new Json.Obj()
        .put("n", count())
        .put("p50", percentileMillis(50))
        .put("p90", percentileMillis(90))
        .put("p99", percentileMillis(99))
        .put("max", percentileMillis(100));
  }
}
