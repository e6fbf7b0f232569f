package io.portcullis.filter;

import java.util.Objects;
import java.util.Set;

/** What the {@link MessageRewriter} is asked to do with a message; the policy chooses. */
public sealed interface Action permits Action.Tag, Action.Strip, Action.Replace {

  /**
   * Add {@code X-Spam-Score}, {@code X-Spam-Status} and {@code X-Portcullis-Verdict} headers, and
   * prefix the subject when {@code subjectPrefix} is not empty.
   */
  record Tag(String subjectPrefix) implements Action {
    public Tag {
      Objects.requireNonNull(subjectPrefix, "subjectPrefix");
      if (subjectPrefix.indexOf('\r') >= 0 || subjectPrefix.indexOf('\n') >= 0) {
        throw new IllegalArgumentException("subjectPrefix must not contain CR or LF");
      }
    }
  }

  /**
   * Replace with a short text/plain notice each part whose attachment carries one of {@code
   * labels}, and each part named in {@code parts} (the policy strips by attachment category and
   * type, which the gateway maps to part numbers); both empty means every part with a
   * dangerous-attachment, macro, encrypted or decompression-bomb label.
   */
  record Strip(Set<Label> labels, Set<String> parts) implements Action {
    public Strip {
      labels = Set.copyOf(labels);
      parts = Set.copyOf(parts);
    }

    /** Strip the parts that carry one of {@code labels}. */
    public Strip(Set<Label> labels) {
      this(labels, Set.of());
    }
  }

  /** Replace the whole message with a notice that keeps only the original's identifying headers. */
  record Replace() implements Action {}
}
