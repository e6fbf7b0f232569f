package io.portcullis.filter.mime;

/**
 * Parsing bounds (THREATS.md, "Content"); passing one ends analysis with a {@code mime-too-complex}
 * finding labelled {@code malformed}.
 *
 * @param maxMessageBytes bytes of a message that are analysed; the rest is not (finding)
 * @param maxNestingDepth multiparts and encapsulated messages inside each other (default 100)
 * @param maxParts body parts in one message (default 10,000)
 * @param maxHeaderBytes bytes of one entity's header block (default 10 MiB)
 * @param maxHeaderCount fields in one entity's header block
 * @param maxFieldBytes bytes of one (folded) header field
 * @param maxLineLength bytes of one header line (RFC 5322 §2.1.1 allows 998; real mail exceeds it)
 * @param maxTextChars characters of text (plain + HTML) kept for spam analysis
 */
public record MimeLimits(
    long maxMessageBytes,
    int maxNestingDepth,
    int maxParts,
    int maxHeaderBytes,
    int maxHeaderCount,
    int maxFieldBytes,
    int maxLineLength,
    int maxTextChars) {

  public MimeLimits {
    if (maxMessageBytes < 1
        || maxNestingDepth < 1
        || maxParts < 1
        || maxHeaderBytes < 1
        || maxHeaderCount < 1
        || maxFieldBytes < 1
        || maxLineLength < 1
        || maxTextChars < 0) {
      throw new IllegalArgumentException("MIME limits must be positive");
    }
  }

  /** The limits THREATS.md starts from. */
  public static MimeLimits defaults() {
    return new MimeLimits(100L << 20, 100, 10_000, 10 << 20, 10_000, 1 << 20, 1 << 20, 1_000_000);
  }
}
