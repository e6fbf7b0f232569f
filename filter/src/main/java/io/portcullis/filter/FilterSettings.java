package io.portcullis.filter;

import io.portcullis.filter.attachment.ArchiveLimits;
import io.portcullis.filter.attachment.AttachmentRules;
import io.portcullis.filter.engine.ExternalEngine;
import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.spam.SpamRules;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the analyzer is built from. Validated when built; immutable.
 *
 * @param mimeLimits parsing limits
 * @param archiveLimits archive expansion limits
 * @param attachmentRules which attachments are dangerous
 * @param spamThreshold score at or above which a message is labelled {@code spam} (default 5.0)
 * @param phishingThreshold sum of phishing-rule weights at or above which it is {@code phishing}
 *     (4.0)
 * @param ruleWeights overrides of {@link SpamRules#DEFAULT_WEIGHTS}
 * @param trustedAuthservIds authserv-ids of the operator's own MTAs (RFC 8601); others are ignored
 * @param engines external engines consulted for every message, in order
 * @param verdictCacheSize verdicts kept by message SHA-256 (0 disables the cache)
 * @param verdictCacheTtl how long a cached verdict is reused
 * @param scratchDir parent of the scan-private directories where large parts are spooled
 * @param clock time source (Date checks, cache expiry)
 */
public record FilterSettings(
    MimeLimits mimeLimits,
    ArchiveLimits archiveLimits,
    AttachmentRules attachmentRules,
    double spamThreshold,
    double phishingThreshold,
    Map<String, Double> ruleWeights,
    Set<String> trustedAuthservIds,
    List<ExternalEngine> engines,
    int verdictCacheSize,
    Duration verdictCacheTtl,
    Path scratchDir,
    Clock clock) {

  public FilterSettings {
    Objects.requireNonNull(mimeLimits, "mimeLimits");
    Objects.requireNonNull(archiveLimits, "archiveLimits");
    Objects.requireNonNull(attachmentRules, "attachmentRules");
    Objects.requireNonNull(scratchDir, "scratchDir");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(verdictCacheTtl, "verdictCacheTtl");
    if (!Double.isFinite(spamThreshold) || !Double.isFinite(phishingThreshold)) {
      throw new IllegalArgumentException("thresholds must be finite");
    }
    if (verdictCacheSize < 0 || verdictCacheTtl.isNegative()) {
      throw new IllegalArgumentException("verdict cache size and ttl must not be negative");
    }
    ruleWeights = Map.copyOf(ruleWeights);
    trustedAuthservIds = Set.copyOf(trustedAuthservIds);
    engines = List.copyOf(engines);
    new SpamRules(
        ruleWeights, trustedAuthservIds); // rejects unknown rule ids now, not at first scan
  }

  /** Defaults from THREATS.md and docs/filtering.md, spooling under the JVM's temp directory. */
  public static FilterSettings defaults() {
    return new FilterSettings(
        MimeLimits.defaults(),
        ArchiveLimits.defaults(),
        AttachmentRules.defaults(),
        5.0,
        4.0,
        Map.of(),
        Set.of(),
        List.of(),
        10_000,
        Duration.ofHours(24),
        Path.of(System.getProperty("java.io.tmpdir")),
        Clock.systemUTC());
  }

  public FilterSettings withClock(Clock newClock) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        newClock);
  }

  public FilterSettings withScratchDir(Path dir) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        dir,
        clock);
  }

  public FilterSettings withMimeLimits(MimeLimits limits) {
    return new FilterSettings(
        limits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withArchiveLimits(ArchiveLimits limits) {
    return new FilterSettings(
        mimeLimits,
        limits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withAttachmentRules(AttachmentRules rules) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        rules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withTrustedAuthservIds(Set<String> ids) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        ids,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withEngines(List<ExternalEngine> list) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        list,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withThresholds(double spam, double phishing) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spam,
        phishing,
        ruleWeights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withRuleWeights(Map<String, Double> weights) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        weights,
        trustedAuthservIds,
        engines,
        verdictCacheSize,
        verdictCacheTtl,
        scratchDir,
        clock);
  }

  public FilterSettings withVerdictCache(int size, Duration ttl) {
    return new FilterSettings(
        mimeLimits,
        archiveLimits,
        attachmentRules,
        spamThreshold,
        phishingThreshold,
        ruleWeights,
        trustedAuthservIds,
        engines,
        size,
        ttl,
        scratchDir,
        clock);
  }
}
