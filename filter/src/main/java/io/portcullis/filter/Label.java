package io.portcullis.filter;

/** What a verdict says a message is; the id is the name policies and the CLI use. */
public enum Label {
  /** The spam score reached the configured threshold. */
  SPAM("spam"),
  /**
   * Phishing indicators (deceptive links, spoofed sender, credential lures) reached their
   * threshold.
   */
  PHISHING("phishing"),
  /** An attachment falls in a category or type that the attachment rules deny. */
  DANGEROUS_ATTACHMENT("dangerous-attachment"),
  /** An Office document carries a VBA/macro project. */
  MACRO("macro"),
  /** An archive or document is encrypted, so its content could not be inspected. */
  ENCRYPTED("encrypted"),
  /** An archive exceeded the depth, entry, size or ratio limits while being expanded. */
  DECOMPRESSION_BOMB("decompression-bomb"),
  /** The message is not valid MIME or exceeds a parsing limit ({@code too-complex}). */
  MALFORMED("malformed"),
  /** An analyzer or external engine failed or timed out; the verdict fails closed. */
  SCAN_ERROR("scan-error");

  private final String id;

  Label(String id) {
    this.id = id;
  }

  /** The stable lower-case identifier, e.g. {@code "dangerous-attachment"}. */
  public String id() {
    return id;
  }

  /**
   * The label with the given id.
   *
   * @throws IllegalArgumentException if no label has that id
   */
  public static Label fromId(String id) {
    for (Label label : values()) {
      if (label.id.equals(id)) {
        return label;
      }
    }
    throw new IllegalArgumentException("unknown label id: " + id);
  }
}
