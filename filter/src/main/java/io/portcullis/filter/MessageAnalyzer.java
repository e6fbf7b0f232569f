package io.portcullis.filter;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.filter.attachment.AttachmentInspector;
import io.portcullis.filter.engine.ExternalEngine;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.mime.MimeWalker;
import io.portcullis.filter.spam.SpamModel;
import io.portcullis.filter.spam.SpamRules;
import io.portcullis.filter.spam.SpamText;
import io.portcullis.filter.spam.Tokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Decides what a message is: MIME structure and limits, attachments by true type, spam and phishing
 * rules, the statistical classifier and external engines, combined into a {@link Verdict}. Verdicts
 * are cached by message SHA-256. Never throws on bad input. Thread-safe; build once and share.
 */
public final class MessageAnalyzer {

  private static final int MESSAGE_SPOOL_MEMORY = 1 << 20;
  private static final int PART_SPOOL_MEMORY = 4 << 20;

  private final FilterSettings settings;
  private final SpamModel model;
  private final boolean hasModel;
  private final MimeWalker walker;
  private final AttachmentInspector inspector;
  private final SpamRules rules;
  private final Tokenizer tokenizer = new Tokenizer();
  private final Cache<String, Verdict> cache;

  private MessageAnalyzer(FilterSettings settings, Optional<SpamModel> model) {
    this.settings = settings;
    this.model = model.orElse(SpamModel.empty());
    this.hasModel = model.isPresent();
    this.walker = new MimeWalker(settings.mimeLimits());
    this.inspector =
        new AttachmentInspector(
            settings.attachmentRules(), settings.archiveLimits(), settings.mimeLimits());
    this.rules = new SpamRules(settings.ruleWeights(), settings.trustedAuthservIds());
    this.cache =
        settings.verdictCacheSize() == 0
            ? null
            : Caffeine.newBuilder()
                .maximumSize(settings.verdictCacheSize())
                .expireAfterWrite(settings.verdictCacheTtl())
                .ticker(() -> settings.clock().millis() * 1_000_000L)
                .build();
  }

  /**
   * An analyzer for these settings.
   *
   * @param model the trained classifier, or empty to score by rules only
   */
  public static MessageAnalyzer create(FilterSettings settings, Optional<SpamModel> model) {
    return new MessageAnalyzer(settings, model);
  }

  /** The settings this analyzer was built from. */
  public FilterSettings settings() {
    return settings;
  }

  /**
   * Analyses one raw RFC 5322 message. Reads the stream to its end (bytes past the analysis limit
   * are hashed, not analysed) and does not close it. Never throws: unreadable input, limits and
   * internal failures are findings ({@code malformed}, {@code scan-error}).
   */
  public Verdict analyze(InputStream rawMessage) {
    Path scratch = null;
    try {
      // Created only if something spills to disk (Spool); the random name cannot be pre-created.
      scratch = settings.scratchDir().resolve("portcullis-scan-" + java.util.UUID.randomUUID());
      try (Spool spool = new Spool(scratch, MESSAGE_SPOOL_MEMORY)) {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        long limit = settings.mimeLimits().maxMessageBytes();
        long total = 0;
        try (DigestInputStream in =
            new DigestInputStream(rawMessage, sha256) {
              @Override
              public void close() {
                // The caller owns the stream.
              }
            }) {
          byte[] buf = new byte[65536];
          int n;
          while ((n = in.read(buf)) > 0) {
            long keep = Math.max(0, Math.min(n, limit - total));
            if (keep > 0) {
              spool.write(buf, 0, (int) keep);
            }
            total += n;
          }
        }
        spool.seal();
        String id = HexFormat.of().formatHex(sha256.digest());
        if (cache != null) {
          Verdict cached = cache.getIfPresent(id);
          if (cached != null) {
            return cached;
          }
        }
        Verdict verdict = analyzeSpooled(spool, id, total > limit, scratch);
        if (cache != null && !verdict.has(Label.SCAN_ERROR)) {
          cache.put(id, verdict); // a transient engine failure must not stick to the message
        }
        return verdict;
      }
    } catch (IOException | NoSuchAlgorithmException | RuntimeException | StackOverflowError e) {
      // A stack overflow (deep recursion in a library on crafted input) is a scan error, not a
      // crash.
      Finding f =
          new Finding(
              "analyzer-error",
              Label.SCAN_ERROR,
              0,
              "message could not be analysed: " + e.getClass().getSimpleName(),
              "message");
      return new Verdict(0, Set.of(Label.SCAN_ERROR), List.of(f), List.of(), "");
    } finally {
      deleteTree(scratch);
    }
  }

  private Verdict analyzeSpooled(Spool spool, String id, boolean truncated, Path scratch)
      throws IOException {
    List<Finding> findings = new ArrayList<>();
    List<AttachmentInfo> attachments = new ArrayList<>();
    if (truncated) {
      findings.add(
          new Finding(
              "message-too-large",
              Label.MALFORMED,
              0,
              "only the first " + settings.mimeLimits().maxMessageBytes() + " bytes were analysed",
              "message"));
    }
    AttachmentInspector.Budget budget = inspector.newBudget();
    MimeWalker.Content content;
    try (InputStream in = spool.openStream()) {
      content =
          walker.walk(
              in,
              (part, decoded) -> {
                try (Spool partSpool = new Spool(scratch, PART_SPOOL_MEMORY)) {
                  decoded.transferTo(partSpool);
                  partSpool.seal();
                  AttachmentInspector.Result r =
                      inspector.inspect(
                          part.path(),
                          part.fileName(),
                          part.mimeType(),
                          partSpool,
                          budget,
                          scratch);
                  attachments.addAll(r.attachments());
                  findings.addAll(r.findings());
                }
              });
    }
    findings.addAll(content.findings());
    try {
      SpamText text = SpamText.of(content);
      findings.addAll(rules.evaluate(text, settings.clock().instant()));
      if (hasModel) {
        findings.add(rules.bayes(model.classify(tokenizer.tokens(text))));
      }
    } catch (RuntimeException e) {
      findings.add(
          new Finding(
              "rules-error",
              Label.SCAN_ERROR,
              0,
              "spam rules failed: " + e.getClass().getSimpleName(),
              "message"));
    }
    for (ExternalEngine engine : settings.engines()) {
      findings.addAll(
          engine.scan(
              () -> {
                try {
                  return spool.openStream();
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              },
              spool.size()));
    }
    return combine(findings, attachments, id);
  }

  private Verdict combine(List<Finding> findings, List<AttachmentInfo> attachments, String id) {
    double score = 0;
    double phishing = 0;
    Set<Label> labels = EnumSet.noneOf(Label.class);
    for (Finding f : findings) {
      score += f.weight();
      phishing += SpamRules.PHISHING_WEIGHTS.getOrDefault(f.rule(), 0.0);
      if (f.label() != null) {
        labels.add(f.label());
      }
    }
    score = Math.round(score * 100) / 100.0;
    List<Finding> all = new ArrayList<>(findings);
    if (score >= settings.spamThreshold()) {
      labels.add(Label.SPAM);
      all.add(
          new Finding(
              "spam-score",
              Label.SPAM,
              0,
              String.format(
                  Locale.ROOT, "score %.2f reaches %.2f", score, settings.spamThreshold()),
              "message"));
    }
    if (phishing >= settings.phishingThreshold()) {
      labels.add(Label.PHISHING);
      all.add(
          new Finding(
              "phishing-score",
              Label.PHISHING,
              0,
              String.format(
                  Locale.ROOT,
                  "phishing indicators weigh %.2f, threshold %.2f",
                  phishing,
                  settings.phishingThreshold()),
              "message"));
    }
    all.sort(
        Comparator.comparing((Finding f) -> f.label() == null)
            .thenComparing(f -> -Math.abs(f.weight())));
    return new Verdict(score, labels, all, attachments, id);
  }

  private static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort: the directory is private to this scan and holds only spooled copies.
    }
  }
}
