package io.portcullis.gateway.filtering;

import io.portcullis.filter.io.Spool;
import io.portcullis.policy.FilterAction;
import io.portcullis.policy.Tag;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What happens to one message and what the client receives instead of the original, if anything.
 *
 * @param action the effective action, including over-limit and scan-error outcomes
 * @param tag how the message is marked, present exactly when the action is {@code tag}
 * @param ruleId the policy rule that decided
 * @param labels verdict label ids; empty when the message was not scanned
 * @param score the spam score; 0 when not scanned
 * @param scanned whether the analyzer ran to completion
 * @param originalSha256 the original's SHA-256, lower-case hex
 * @param originalSize the original's size in octets
 * @param quarantineId present exactly when the original is durably in the quarantine store
 * @param rendition the bytes delivered instead of the original (tagged or stripped); the caller
 *     closes it
 */
public record FilterOutcome(
    FilterAction action,
    Optional<Tag> tag,
    String ruleId,
    List<String> labels,
    double score,
    boolean scanned,
    String originalSha256,
    long originalSize,
    Optional<String> quarantineId,
    Optional<Spool> rendition) {

  public FilterOutcome {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(ruleId, "ruleId");
    labels = List.copyOf(labels);
    Objects.requireNonNull(originalSha256, "originalSha256");
    Objects.requireNonNull(quarantineId, "quarantineId");
    Objects.requireNonNull(rendition, "rendition");
  }

  /** Whether the client gets the message at all (as the original or as the rendition). */
  public boolean delivered() {
    return action != FilterAction.QUARANTINE;
  }
}
