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
   * Replace each part whose attachment carries one of {@code labels} with a short text/plain
   * notice; an empty set means every part with a dangerous-attachment, macro, encrypted or
   * decompression-bomb label.
   */
  record Strip(Set<Label> labels) implements Action {
    public Strip {
      labels = Set.copyOf(labels);
    }
  }

  /** Replace the whole message with a notice that keeps only the original's identifying headers. */
  record Replace() implements Action {}
}
