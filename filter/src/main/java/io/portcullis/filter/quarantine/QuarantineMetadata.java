package io.portcullis.filter.quarantine;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What is kept about a quarantined original besides its bytes: who it was for, when it was stored,
 * what the verdict said, and a few header values to recognise it by (never the body).
 *
 * @param account the mailbox the message belongs to
 * @param storedAt when it was quarantined (set by the store from its clock)
 * @param size size of the original in bytes (set by the store)
 * @param labels verdict label ids
 * @param score verdict score
 * @param reasons one line per labelled finding ("rule: reason (location)")
 * @param from the From header as received
 * @param subject the Subject header as received
 * @param released when it was last released, or null
 */
public record QuarantineMetadata(
    String account,
    Instant storedAt,
    long size,
    List<String> labels,
    double score,
    List<String> reasons,
    String from,
    String subject,
    Instant released) {

  public QuarantineMetadata {
    Objects.requireNonNull(account, "account");
    labels = List.copyOf(labels);
    reasons = List.copyOf(reasons);
    from = from == null ? "" : from;
    subject = subject == null ? "" : subject;
  }

  /** Metadata for a new entry; the store fills in time and size. */
  public static QuarantineMetadata of(
      io.portcullis.filter.Verdict verdict, String account, String from, String subject) {
    return new QuarantineMetadata(
        account,
        null,
        0,
        verdict.labels().stream().map(io.portcullis.filter.Label::id).sorted().toList(),
        verdict.score(),
        verdict.findings().stream()
            .filter(f -> f.label() != null)
            .map(f -> f.rule() + ": " + f.reason() + " (" + f.location() + ")")
            .limit(50)
            .toList(),
        from,
        subject,
        null);
  }

  QuarantineMetadata stored(Instant at, long bytes) {
    return new QuarantineMetadata(
        account, at, bytes, labels, score, reasons, from, subject, released);
  }

  QuarantineMetadata releasedAt(Instant at) {
    return new QuarantineMetadata(
        account, storedAt, size, labels, score, reasons, from, subject, at);
  }
}
