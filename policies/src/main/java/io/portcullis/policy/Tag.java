package io.portcullis.policy;

import java.util.Objects;

/**
 * How a tagged message is marked: an IMAP keyword (RFC 9051 section 2.3.2) and, unless
 * keyword-only, a subject prefix. Values are checked so that they cannot inject a header line or
 * break an IMAP command. Immutable.
 *
 * @param keyword the IMAP keyword to set, e.g. {@code $Suspicious}
 * @param subjectPrefix text put before the subject, empty for none
 * @param keywordOnly whether only the keyword is set and the message is left byte for byte intact
 */
public record Tag(String keyword, String subjectPrefix, boolean keywordOnly) {

  /** The tag for messages over the scan limit. */
  public static final Tag UNSCANNED = new Tag("$Unscanned", "[UNSCANNED] ", false);

  /** The tag for messages whose scan failed. */
  public static final Tag SCAN_ERROR = new Tag("$ScanError", "[SCAN ERROR] ", false);

  /** The tag used when a rule says {@code action: tag} without a tag of its own. */
  public static final Tag SUSPICIOUS = new Tag("$Suspicious", "[SUSPICIOUS] ", false);

  public Tag {
    Objects.requireNonNull(keyword, "keyword");
    Objects.requireNonNull(subjectPrefix, "subjectPrefix");
    String problem = keywordProblem(keyword);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    problem = subjectPrefixProblem(subjectPrefix);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Why {@code keyword} is not an IMAP atom usable as a keyword, or null if it is. */
  static String keywordProblem(String keyword) {
    if (keyword.isEmpty() || keyword.length() > 64) {
      return "keyword must be 1 to 64 characters";
    }
    for (int i = 0; i < keyword.length(); i++) {
      char c = keyword.charAt(i);
      // RFC 9051 atom-char, minus the backslash that only system flags may start with.
      boolean atomChar = c > 0x20 && c < 0x7f && "(){ %*\"\\]".indexOf(c) < 0;
      if (!atomChar) {
        return "keyword '" + printable(keyword) + "' is not an IMAP atom";
      }
    }
    return null;
  }

  /** Why {@code prefix} cannot go into a Subject header, or null if it can. */
  static String subjectPrefixProblem(String prefix) {
    if (prefix.length() > 64) {
      return "subject-prefix must be at most 64 characters";
    }
    for (int i = 0; i < prefix.length(); i++) {
      char c = prefix.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        return "subject-prefix must not contain control characters (header injection)";
      }
    }
    return null;
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
