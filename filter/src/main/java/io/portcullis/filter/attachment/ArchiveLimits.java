package io.portcullis.filter.attachment;

/**
 * Bounds on recursive archive expansion (THREATS.md, "Archives"): nesting depth, number of members,
 * total bytes expanded per message and expansion ratio per attachment. Passing any of them is a
 * {@code decompression-bomb} finding.
 *
 * @param maxDepth archives inside archives, outermost attachment is depth 0 (default 10)
 * @param maxEntries members counted over every archive of one message (default 10,000)
 * @param maxExpandedBytes bytes expanded over every archive of one message (default 400 MiB)
 * @param maxRatio expanded bytes per byte of the attachment, checked once past {@code
 *     ratioFloorBytes}
 * @param ratioFloorBytes expansion below which the ratio is not checked (tiny files compress well)
 */
public record ArchiveLimits(
    int maxDepth, int maxEntries, long maxExpandedBytes, int maxRatio, long ratioFloorBytes) {

  public ArchiveLimits {
    if (maxDepth < 1
        || maxEntries < 1
        || maxExpandedBytes < 1
        || maxRatio < 1
        || ratioFloorBytes < 0) {
      throw new IllegalArgumentException("archive limits must be positive");
    }
  }

  /** The limits THREATS.md starts from. */
  public static ArchiveLimits defaults() {
    return new ArchiveLimits(10, 10_000, 400L << 20, 100, 10L << 20);
  }
}
