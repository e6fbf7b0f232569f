package io.portcullis.policy;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the filter found in one message, as the policy sees it; the gateway fills it from the
 * filter's verdict. Immutable.
 *
 * @param labels verdict labels: spam, phishing, dangerous-attachment, macro, encrypted,
 *     decompression-bomb, malformed, scan-error
 * @param score the spam score
 * @param attachmentCategories categories of the attachments found (executable, script, …)
 * @param attachmentTypes the true MIME types of the attachments, detected from content
 * @param size the message size in octets
 */
public record MessageFacts(
    Set<String> labels,
    double score,
    Set<String> attachmentCategories,
    Set<String> attachmentTypes,
    long size) {

  /** A message with no findings. */
  public static MessageFacts clean(long size) {
    return new MessageFacts(Set.of(), 0.0, Set.of(), Set.of(), size);
  }

  public MessageFacts {
    labels = lower(Objects.requireNonNull(labels, "labels"));
    attachmentCategories = lower(Objects.requireNonNull(attachmentCategories, "categories"));
    attachmentTypes = lower(Objects.requireNonNull(attachmentTypes, "types"));
    if (Double.isNaN(score)) {
      throw new IllegalArgumentException("score must be a number");
    }
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative");
    }
  }

  private static Set<String> lower(Set<String> values) {
    return values.stream()
        .map(v -> v.toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }
}
