package io.portcullis.gateway.filtering;

import io.portcullis.filter.Action;
import io.portcullis.filter.AttachmentInfo;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.MessageRewriter;
import io.portcullis.filter.Verdict;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.quarantine.QuarantineMetadata;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.policy.FilterAction;
import io.portcullis.policy.FilterDecision;
import io.portcullis.policy.MessageFacts;
import io.portcullis.policy.OverLimitAction;
import io.portcullis.policy.ScanDecision;
import io.portcullis.policy.ScanScope;
import io.portcullis.policy.Tag;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scans messages for the POP3 and IMAP sessions and keeps the originals safe: the analysis runs on
 * a bounded pool with a timeout, the policy decides, the original goes to the quarantine store
 * whenever the client will not receive it byte for byte, and the rendition the client receives
 * instead is built — all before the returned future completes. A crash or a timeout is a {@code
 * scan-error} verdict with its own policy action (fail closed). One per gateway; thread-safe.
 */
public final class MessageFilter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MessageFilter.class);
  private static final int SPOOL_MEMORY = 1 << 20;
  private static final int HEADER_PREFIX = 64 << 10;
  private static final int QUEUED_SCANS = 4096;

  /** The tag put on junk delivered over POP3, where there is no Junk folder to move it to. */
  static final Tag POP3_JUNK = new Tag("$Junk", "", false);

  private final MessageAnalyzer analyzer;
  private final MessageRewriter rewriter = new MessageRewriter();
  private final QuarantineStore quarantine;
  private final QuarantineStore renditions;
  private final StateStore state;
  private final VerdictStore verdicts;
  private final Releases releases;
  private final Path spoolDir;
  private final Duration scanTimeout;
  private final AuditLog audit;
  private final Clock clock;
  private final ThreadPoolExecutor analysisPool;
  private final ExecutorService blocking = Executors.newVirtualThreadPerTaskExecutor();

  /**
   * @param analyzer the filter engine
   * @param quarantine where originals are kept
   * @param renditions where delivered renditions are kept for sessions that fetch them again
   * @param state durable small state (verdicts, marks, release requests)
   * @param spoolDir an owner-only directory for spooled messages; emptied at start
   * @param scanThreads how many analyses run at once (they are CPU-bound)
   * @param scanTimeout how long one analysis may take before it counts as a scan error
   */
  public MessageFilter(
      MessageAnalyzer analyzer,
      QuarantineStore quarantine,
      QuarantineStore renditions,
      StateStore state,
      Path spoolDir,
      int scanThreads,
      Duration scanTimeout,
      AuditLog audit,
      Clock clock)
      throws IOException {
    this.analyzer = analyzer;
    this.quarantine = quarantine;
    this.renditions = renditions;
    this.state = state;
    this.verdicts = new VerdictStore(state);
    this.releases = new Releases(state);
    this.spoolDir = spoolDir;
    this.scanTimeout = scanTimeout;
    this.audit = audit;
    this.clock = clock;
    StateStore.createPrivateDirectory(spoolDir);
    emptySpoolDirectory(spoolDir);
    AtomicInteger n = new AtomicInteger();
    this.analysisPool =
        new ThreadPoolExecutor(
            scanThreads,
            scanThreads,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(QUEUED_SCANS),
            r -> {
              Thread t = new Thread(r, "portcullis-scan-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
  }

  /** A new spool for an original: memory up to 1 MiB, then an owner-only file; caller closes it. */
  public Spool newSpool() {
    return new Spool(spoolDir, SPOOL_MEMORY);
  }

  /**
   * Whether a message of {@code size} octets must be fetched at all: not when the session is not
   * filtered, nor when it is over the scan limit and the policy passes such messages unscanned.
   */
  public boolean needsContent(SessionFilter session, long size) {
    if (!session.enabled()) {
      return false;
    }
    ScanDecision plan = session.plan();
    return plan.scans(size) || plan.overLimit() != OverLimitAction.PASS_UNSCANNED;
  }

  /** The outcome for a message that needs no content ({@link #needsContent} is false). */
  public FilterOutcome unscanned(SessionFilter session, MessageRef ref, long size) {
    String rule = session.enabled() ? session.plan().rule().id() : "filtering-off";
    FilterOutcome outcome =
        new FilterOutcome(
            FilterAction.ALLOW,
            Optional.empty(),
            rule,
            List.of(),
            0,
            false,
            "",
            size,
            Optional.empty(),
            Optional.empty());
    if (session.enabled()) {
      audit(ref, outcome, 0);
    }
    return outcome;
  }

  /**
   * Analyses a sealed spool of the original off the event loop and applies the policy. Before the
   * future completes, the original is in the quarantine store whenever the client will not receive
   * it byte for byte, and the rendition the client receives instead is built. Completes on a pool
   * thread; never exceptionally for a scan problem (that is a {@code scan-error} verdict), only
   * when the quarantine store cannot be written — then nothing may be changed upstream.
   */
  public CompletableFuture<FilterOutcome> filter(
      SessionFilter session, MessageRef ref, Spool original) {
    if (!session.enabled()) {
      return CompletableFuture.completedFuture(unscanned(session, ref, original.size()));
    }
    long started = System.nanoTime();
    ScanDecision plan = session.plan();
    CompletableFuture<Optional<Verdict>> analysis;
    if (!plan.scans(original.size())) {
      analysis = CompletableFuture.completedFuture(Optional.empty());
    } else {
      try {
        analysis =
            CompletableFuture.supplyAsync(() -> Optional.of(analyzeInTime(original)), analysisPool)
                .orTimeout(scanTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .exceptionally(
                    e -> {
                      LOG.warn(
                          "scan of {} {} failed ({}); the policy's scan-error action applies",
                          ref.account(),
                          ref.location(),
                          e.getCause() == null ? e : e.getCause().getClass().getSimpleName());
                      return null;
                    });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.warn("scan queue full; {} {} counts as a scan error", ref.account(), ref.location());
        analysis = CompletableFuture.completedFuture(null);
      }
    }
    return analysis.thenApplyAsync(
        verdict -> {
          FilterOutcome outcome = act(session, ref, original, plan, verdict);
          audit(ref, outcome, (System.nanoTime() - started) / 1_000_000);
          return outcome;
        },
        blocking);
  }

  /**
   * The analysis, which counts as a scan error when it took longer than the timeout even if it
   * finished: the timeout's own task may run late on a busy machine, and the rule must not depend
   * on which of the two came first.
   */
  private Verdict analyzeInTime(Spool original) {
    long started = System.nanoTime();
    Verdict verdict = analyze(original);
    if (System.nanoTime() - started > scanTimeout.toNanos()) {
      throw new java.util.concurrent.CompletionException(
          new java.util.concurrent.TimeoutException("analysis took longer than " + scanTimeout));
    }
    return verdict;
  }

  private Verdict analyze(Spool original) {
    try (InputStream in = original.openStream()) {
      return analyzer.analyze(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Decides and carries out the storage side. {@code verdict} is null when the scan failed, empty
   * when the message was not scanned (over the limit).
   */
  private FilterOutcome act(
      SessionFilter session,
      MessageRef ref,
      Spool original,
      ScanDecision plan,
      Optional<Verdict> verdict) {
    long size = original.size();
    MessageFacts facts;
    if (verdict == null) {
      facts = new MessageFacts(Set.of(Label.SCAN_ERROR.id()), 0, Set.of(), Set.of(), size);
    } else if (verdict.isEmpty()) {
      facts = MessageFacts.clean(size);
    } else {
      facts = facts(verdict.get(), size, plan.scope());
    }
    FilterDecision decision = session.policy().get().decideMessage(session.facts(), facts);
    for (FilterDecision monitored : decision.monitored()) {
      audit.messageMonitor(
          ref.account(),
          ref.location(),
          monitored.rule().id(),
          "would-" + monitored.action().yamlName());
    }
    FilterAction action = decision.action();
    boolean pop3 = "pop3".equals(session.facts().protocol());
    Optional<Tag> tag = decision.tag();
    if (action == FilterAction.JUNK && pop3) {
      tag = Optional.of(POP3_JUNK);
    }
    boolean rewritten = action == FilterAction.STRIP || tag.isPresent() && !tag.get().keywordOnly();
    boolean keepOriginal = rewritten || action == FilterAction.QUARANTINE;
    String sha256;
    Optional<String> quarantineId = Optional.empty();
    try {
      if (keepOriginal) {
        String id;
        try (InputStream in = original.openStream()) {
          id = quarantine.put(in, metadata(verdict, facts, ref, original));
        }
        quarantineId = Optional.of(id);
        sha256 = id;
      } else {
        sha256 = verdict != null && verdict.isPresent() ? verdict.get().sha256() : sha256(original);
      }
    } catch (IOException e) {
      // Nothing may change upstream or be withheld without the original being safe.
      throw new UncheckedIOException("cannot store the original in the quarantine store", e);
    }
    Optional<Spool> rendition = Optional.empty();
    if (rewritten) {
      rendition =
          Optional.of(
              render(
                  original,
                  verdict == null ? null : verdict.orElse(null),
                  decision,
                  tag,
                  quarantineId.get(),
                  facts));
    }
    return new FilterOutcome(
        action,
        decision.tag(),
        decision.rule().id(),
        List.copyOf(facts.labels()),
        facts.score(),
        verdict != null && verdict.isPresent(),
        sha256,
        size,
        quarantineId,
        rendition);
  }

  /** The message the client receives: stripped of the offending parts, or tagged. */
  private Spool render(
      Spool original,
      Verdict verdict,
      FilterDecision decision,
      Optional<Tag> tag,
      String quarantineId,
      MessageFacts facts) {
    Verdict v = verdict != null ? verdict : placeholder(facts, quarantineId);
    List<Action> actions = new ArrayList<>();
    if (decision.action() == FilterAction.STRIP) {
      actions.add(new Action.Strip(Set.of(), partsToStrip(v, decision)));
    }
    tag.filter(t -> !t.keywordOnly())
        .ifPresent(t -> actions.add(new Action.Tag(t.subjectPrefix())));
    Spool out = newSpool();
    try {
      try (InputStream in = original.openStream()) {
        rewriter.rewrite(in, v, actions, quarantineId, out);
      } catch (IOException e) {
        // The part to strip could not be found again: withhold the whole content instead.
        LOG.warn("rewriting failed ({}); the message is replaced by a notice", e.getMessage());
        out.close();
        out = newSpool();
        try (InputStream in = original.openStream()) {
          rewriter.rewrite(in, v, List.of(new Action.Replace()), quarantineId, out);
        }
      }
      return out.seal();
    } catch (IOException e) {
      try {
        out.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw new UncheckedIOException("cannot build the delivered message", e);
    }
  }

  /** MIME parts whose attachments are of a category or true type the decision strips. */
  static Set<String> partsToStrip(Verdict verdict, FilterDecision decision) {
    Set<String> parts = new HashSet<>();
    for (AttachmentInfo a : verdict.attachments()) {
      boolean byType = decision.stripTypes().contains(a.trueType().toLowerCase(Locale.ROOT));
      boolean byCategory = a.categories().stream().anyMatch(decision.stripCategories()::contains);
      if ((byType || byCategory) && !a.partPath().isEmpty()) {
        parts.add(a.partPath());
      }
    }
    return parts;
  }

  /** A verdict for a message that was not analysed, so that it can still be tagged. */
  private static Verdict placeholder(MessageFacts facts, String sha256) {
    Set<Label> labels =
        facts.labels().stream().map(Label::fromId).collect(Collectors.toUnmodifiableSet());
    return new Verdict(0, labels, List.of(), List.of(), sha256);
  }

  /** What the policy needs to know of a verdict; spam findings are ignored for attachments-only. */
  public static MessageFacts facts(Verdict verdict, long size, ScanScope scope) {
    boolean spam = scope != ScanScope.ATTACHMENTS_ONLY;
    Set<String> labels =
        verdict.labels().stream()
            .filter(l -> spam || l != Label.SPAM && l != Label.PHISHING)
            .map(Label::id)
            .collect(Collectors.toSet());
    Set<String> categories =
        verdict.attachments().stream()
            .flatMap(a -> a.categories().stream())
            .collect(Collectors.toSet());
    Set<String> types =
        verdict.attachments().stream().map(AttachmentInfo::trueType).collect(Collectors.toSet());
    return new MessageFacts(labels, spam ? verdict.score() : 0, categories, types, size);
  }

  private QuarantineMetadata metadata(
      Optional<Verdict> verdict, MessageFacts facts, MessageRef ref, Spool original)
      throws IOException {
    String[] fromSubject = fromAndSubject(original);
    Verdict v =
        verdict != null && verdict.isPresent() ? verdict.get() : placeholder(facts, "0".repeat(64));
    QuarantineMetadata m = QuarantineMetadata.of(v, ref.account(), fromSubject[0], fromSubject[1]);
    List<String> reasons = new ArrayList<>(m.reasons());
    reasons.add("location: " + ref.location());
    return new QuarantineMetadata(
        m.account(),
        m.storedAt(),
        m.size(),
        m.labels(),
        m.score(),
        reasons,
        m.from(),
        m.subject(),
        m.released());
  }

  /** The decoded From and Subject of the header block (RFC 5322 unfolding, RFC 2047 words). */
  static String[] fromAndSubject(Spool original) throws IOException {
    String from = "";
    String subject = "";
    try (BufferedReader r =
        new BufferedReader(
            new InputStreamReader(original.openPrefix(HEADER_PREFIX), StandardCharsets.UTF_8))) {
      List<String> fields = new ArrayList<>();
      for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
        if ((line.startsWith(" ") || line.startsWith("\t")) && !fields.isEmpty()) {
          fields.set(fields.size() - 1, fields.getLast() + line);
        } else {
          fields.add(line);
        }
      }
      for (String f : fields) {
        int colon = f.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = f.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value =
            DecoderUtil.decodeEncodedWords(f.substring(colon + 1).trim(), DecodeMonitor.SILENT);
        if (name.equals("from") && from.isEmpty()) {
          from = value;
        } else if (name.equals("subject") && subject.isEmpty()) {
          subject = value;
        }
      }
    }
    return new String[] {from, subject};
  }

  private static String sha256(Spool spool) {
    try (InputStream in = spool.openStream()) {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[65536];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return java.util.HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }

  private void audit(MessageRef ref, FilterOutcome o, long millis) {
    audit.message(
        ref.account(),
        ref.location(),
        o.action().yamlName(),
        o.ruleId(),
        o.labels(),
        o.score(),
        o.scanned(),
        o.quarantineId().orElse(null),
        millis);
  }

  /** Durable verdicts per message. */
  public VerdictStore verdicts() {
    return verdicts;
  }

  /** Durable small state: high-water marks, step journals. */
  public StateStore state() {
    return state;
  }

  /** Release requests waiting for the account's next session. */
  public Releases releases() {
    return releases;
  }

  /** Where originals are kept. */
  public QuarantineStore quarantine() {
    return quarantine;
  }

  /** Where delivered renditions are kept, for sessions that fetch them again. */
  public QuarantineStore renditions() {
    return renditions;
  }

  /** The gateway's clock. */
  public Clock clock() {
    return clock;
  }

  private static void emptySpoolDirectory(Path dir) throws IOException {
    // Spool files left by a crash hold message content: they must not outlive the process.
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!f.equals(dir)) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  @Override
  public void close() {
    analysisPool.shutdownNow();
    blocking.shutdown();
  }
}
