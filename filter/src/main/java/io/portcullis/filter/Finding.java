package io.portcullis.filter;

import java.util.Objects;
import java.util.Optional;

/**
 * One explained observation: the rule that fired, the label it implies (empty when it only adds to
 * the spam score), its score weight, a human-readable reason and where in the message it was found.
 *
 * @param rule stable rule id, e.g. {@code "link-text-domain-mismatch"} (see docs/filtering.md)
 * @param label the label this finding sets, or {@code null} when it only contributes to the score
 * @param weight contribution to the spam score (may be negative or zero)
 * @param reason human-readable explanation; never contains message body text beyond short quotes
 * @param location where it was found, e.g. {@code "header From"} or {@code "part 1.2 'a.zip' >
 *     'x.exe'"}
 * @param partPath the MIME part the finding is about (what {@link Action.Strip} removes), or empty
 *     for findings about the whole message
 */
public record Finding(
    String rule, Label label, double weight, String reason, String location, String partPath) {

  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(partPath, "partPath");
    if (!Double.isFinite(weight)) {
      throw new IllegalArgumentException("weight must be finite");
    }
  }

  /** A finding about the whole message (no part). */
  public Finding(String rule, Label label, double weight, String reason, String location) {
    this(rule, label, weight, reason, location, "");
  }

  /** The label, if this finding sets one. */
  public Optional<Label> optionalLabel() {
    return Optional.ofNullable(label);
  }
}
