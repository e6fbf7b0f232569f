package io.portcullis.filter;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The analyzer's decision about one message: spam score, labels, the findings that explain them,
 * the attachments seen and the SHA-256 (lower-case hex) of the exact bytes analysed. Immutable.
 */
public record Verdict(
    double score,
    Set<Label> labels,
    List<Finding> findings,
    List<AttachmentInfo> attachments,
    String sha256) {

  public Verdict {
    labels = Set.copyOf(labels);
    findings = List.copyOf(findings);
    attachments = List.copyOf(attachments);
    Objects.requireNonNull(sha256, "sha256");
  }

  /** Whether the verdict carries the label. */
  public boolean has(Label label) {
    return labels.contains(label);
  }

  /** Whether the verdict carries any label at all ("flagged"). */
  public boolean flagged() {
    return !labels.isEmpty();
  }
}
