package io.portcullis.gateway.pop3;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.quarantine.QuarantineMetadata;
import io.portcullis.gateway.filtering.FilterOutcome;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.filtering.VerdictStore;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.policy.FilterAction;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the virtual maildrop after login (DESIGN: POP3): UIDL and LIST upstream, a stored verdict
 * per UIDL or else RETR on the session's own connection and a scan, within a time budget after
 * which the messages left follow the scan-error action (fail closed). Fetches are sequential; up to
 * {@link #ANALYSIS_WINDOW} analyses overlap them on the filter's pool. Store I/O runs on {@code
 * blocking}. Confined to the event loop, apart from the work it hands off.
 */
final class MaildropBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(MaildropBuilder.class);

  /** Messages analysed while the next one is fetched: keeps the pool busy, bounds spooled bytes. */
  static final int ANALYSIS_WINDOW = 4;

  /** Large maildrops log their progress every this many messages. */
  static final int PROGRESS_EVERY = 50;

  /** RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
  private static final int MAX_UIDL = 70;

  /** Where store and spool I/O runs: virtual threads, so waiting on a disk costs no carrier. */
  static final Executor BLOCKING =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pop3-maildrop-", 0).factory());

  /** A message listed upstream. */
  private record Listed(int number, String uidl, long size) {}

  /** What a message's stored verdict says, looked up off the event loop; entry empty = hidden. */
  private record Known(Listed message, boolean stored, Optional<MaildropEntry> entry) {}

  private final Pop3Relay relay;
  private final ClientSession session;
  private final MessageFilter filter;
  private final SessionFilter sessionFilter;
  private final Executor blocking;
  private final Clock clock;
  private final Duration budget;
  private final EventLoop loop;
  private final Map<Integer, Optional<MaildropEntry>> decided = new TreeMap<>();
  private final ArrayDeque<Listed> toScan = new ArrayDeque<>();
  private final Map<Integer, Listed> inFlight = new HashMap<>();
  private ScheduledFuture<?> budgetTimer;
  private boolean budgetSpent;
  private boolean fetching;
  private boolean finished;
  private int analysing;
  private int scanned;
  private int toScanTotal;
  private long startNanos;

  MaildropBuilder(
      Pop3Relay relay,
      ClientSession session,
      MessageFilter filter,
      SessionFilter sessionFilter,
      Executor blocking,
      Clock clock,
      Duration budget) {
    this.relay = relay;
    this.session = session;
    this.filter = filter;
    this.sessionFilter = sessionFilter;
    this.blocking = blocking;
    this.clock = clock;
    this.budget = budget;
    this.loop = relay.client().channel().eventLoop();
  }

  void start() {
    startNanos = System.nanoTime();
    relay.forward(new Pop3Command.Uidl(Optional.empty()), new ListingCapture(this::onUidl));
  }

  private void onUidl(Optional<List<String>> lines) {
    if (relay.closed()) {
      return;
    }
    Optional<Map<Integer, String>> uidls = lines.flatMap(MaildropBuilder::parseUidls);
    if (uidls.isEmpty()) {
      // Without unique ids no verdict can be remembered; serving unscanned mail is not an option.
      unavailable("upstream-uidl-unusable");
      return;
    }
    relay.forward(
        new Pop3Command.List(Optional.empty()),
        new ListingCapture(sizes -> onList(uidls.get(), sizes)));
  }

  private void onList(Map<Integer, String> uidls, Optional<List<String>> lines) {
    if (relay.closed()) {
      return;
    }
    Optional<List<Listed>> listed = lines.flatMap(l -> join(uidls, l));
    if (listed.isEmpty()) {
      unavailable("upstream-list-unusable");
      return;
    }
    CompletableFuture.supplyAsync(() -> lookUp(listed.get()), blocking)
        .whenComplete(
            (known, failure) ->
                loop.execute(
                    () -> {
                      if (failure != null) {
                        LOG.warn(
                            "session {}: verdict store unavailable ({})",
                            session.id(),
                            failure.getClass().getSimpleName());
                        unavailable("verdict-store-unavailable");
                      } else {
                        onKnown(known);
                      }
                    }));
  }

  /** Off the event loop: stored verdicts, with pending releases carried out first. */
  private List<Known> lookUp(List<Listed> listed) {
    VerdictStore verdicts = filter.verdicts();
    Map<String, Releases.Release> releases = new HashMap<>();
    for (Releases.Release r : filter.releases().pending(sessionFilter.account())) {
      releases.put(r.location(), r);
    }
    List<Known> known = new ArrayList<>(listed.size());
    for (Listed m : listed) {
      MessageRef ref = MessageRef.pop3(sessionFilter.account(), m.uidl());
      Optional<VerdictStore.Stored> stored = verdicts.get(ref);
      Releases.Release release = releases.get(ref.location());
      if (release != null && stored.isPresent()) {
        stored = Optional.of(released(stored.get()));
        verdicts.put(ref, stored.get());
        filter.releases().done(release);
        LOG.info("session {}: released message delivered as the original", session.id());
      }
      known.add(new Known(m, stored.isPresent(), stored.flatMap(s -> entry(m, s))));
    }
    return known;
  }

  private VerdictStore.Stored released(VerdictStore.Stored s) {
    return new VerdictStore.Stored(
        FilterAction.ALLOW,
        s.originalSha256(),
        s.originalSize(),
        s.quarantineId(),
        Optional.empty(),
        s.originalSize(),
        s.labels(),
        s.score(),
        "release",
        clock.instant());
  }

  /** The client's view of a stored verdict: hidden (empty), the rendition, or the original. */
  private Optional<MaildropEntry> entry(Listed m, VerdictStore.Stored s) {
    if (s.action() == FilterAction.QUARANTINE) {
      return Optional.empty();
    }
    // A rendition stands for an original the client never gets: DELE only once it is kept safe.
    boolean deletable = s.renditionId().isEmpty() || s.quarantineId().isPresent();
    return Optional.of(
        new MaildropEntry(m.number(), m.uidl(), s.deliveredSize(), s.renditionId(), deletable));
  }

  private void onKnown(List<Known> known) {
    if (relay.closed()) {
      return;
    }
    for (Known k : known) {
      if (k.stored()) {
        decided.put(k.message().number(), k.entry());
      } else {
        toScan.add(k.message());
      }
    }
    toScanTotal = toScan.size();
    // The budget bounds the scanning; listing and look-ups are bounded by the session's idle limit.
    budgetTimer = loop.schedule(this::budgetSpent, budget.toMillis(), TimeUnit.MILLISECONDS);
    if (toScanTotal > 0) {
      LOG.info(
          "session {}: scanning {} of {} messages before the maildrop is shown",
          session.id(),
          toScanTotal,
          known.size());
    }
    pump();
  }

  /** Starts what can start: the next fetch, unless one runs or the window is full. */
  private void pump() {
    if (finished) {
      return;
    }
    if (relay.closed()) {
      finished = true;
      cancelBudget();
      return;
    }
    while (!fetching && !budgetSpent && !toScan.isEmpty() && analysing < ANALYSIS_WINDOW) {
      Listed m = toScan.poll();
      MessageRef ref = MessageRef.pop3(sessionFilter.account(), m.uidl());
      fetching = true;
      inFlight.put(m.number(), m);
      if (!filter.needsContent(sessionFilter, m.size())) {
        // Not scanned, but measured: an upstream's LIST size is a claim (GreenMail's is off), and
        // the client must never see a size that disagrees with what RETR then sends.
        relay.forward(
            new Pop3Command.Retr(m.number()), new SizeCapture(size -> onMeasured(m, ref, size)));
        continue;
      }
      Spool spool = filter.newSpool();
      relay.forward(
          new Pop3Command.Retr(m.number()),
          new RetrCapture(
              spool,
              relay.upstreamChannel(),
              blocking,
              spoolReady -> onFetched(m, ref, spoolReady)));
    }
    if (!fetching && analysing == 0 && toScan.isEmpty()) {
      finish();
    }
  }

  private void onFetched(Listed m, MessageRef ref, CompletableFuture<Spool> spoolReady) {
    fetching = false;
    analysing++;
    spoolReady
        .thenCompose(spool -> filter.filter(sessionFilter, ref, spool))
        .thenApplyAsync(outcome -> remember(m, ref, outcome), blocking)
        .whenComplete(
            (entry, failure) -> {
              spoolReady.thenAcceptAsync(MaildropBuilder::closeQuietly, blocking);
              loop.execute(() -> analysed(m, entry, failure));
            });
    pump();
  }

  private void onMeasured(Listed m, MessageRef ref, long size) {
    fetching = false;
    analysing++;
    if (size < 0) {
      analysed(m, null, new IOException("message not retrieved"));
      return;
    }
    CompletableFuture.supplyAsync(
            () -> remember(m, ref, filter.unscanned(sessionFilter, ref, size)), blocking)
        .whenComplete((entry, failure) -> loop.execute(() -> analysed(m, entry, failure)));
    pump();
  }

  /** Off the event loop: keeps the rendition and the verdict, so no later session rescans. */
  private Optional<MaildropEntry> remember(Listed m, MessageRef ref, FilterOutcome outcome) {
    Optional<String> renditionId = Optional.empty();
    long delivered = outcome.originalSize();
    if (outcome.rendition().isPresent()) {
      try (Spool rendition = outcome.rendition().get()) {
        QuarantineMetadata meta =
            new QuarantineMetadata(
                sessionFilter.account(),
                null,
                0,
                outcome.labels(),
                outcome.score(),
                List.of(),
                "",
                "",
                null);
        try (var in = rendition.openStream()) {
          renditionId = Optional.of(filter.renditions().put(in, meta));
        }
        delivered = DotStuffer.deliveredSize(rendition);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    VerdictStore.Stored stored =
        new VerdictStore.Stored(
            outcome.action(),
            outcome.originalSha256(),
            outcome.originalSize(),
            outcome.quarantineId(),
            renditionId,
            delivered,
            outcome.labels(),
            outcome.score(),
            outcome.ruleId(),
            clock.instant());
    filter.verdicts().put(ref, stored);
    return entry(m, stored);
  }

  private void analysed(Listed m, Optional<MaildropEntry> entry, Throwable failure) {
    analysing--;
    inFlight.remove(m.number());
    if (finished) {
      return; // the budget ran out first; the verdict is stored for the next session
    }
    if (failure != null) {
      LOG.warn(
          "session {}: message {} could not be scanned ({}); it follows the scan-error action",
          session.id(),
          m.number(),
          rootCause(failure).getClass().getSimpleName());
      decided.put(m.number(), unscannable(m));
    } else {
      decided.put(m.number(), entry);
    }
    progress();
    pump();
  }

  /**
   * A message left without a verdict (budget spent, fetch or store failed): shown as the original
   * only if the policy's scan-error action is allow, hidden otherwise (fail closed). Nothing is
   * stored, so the next session tries again.
   */
  private Optional<MaildropEntry> unscannable(Listed m) {
    FilterAction onError = sessionFilter.plan().onScanError();
    return onError == FilterAction.ALLOW
        ? Optional.of(MaildropEntry.original(m.number(), m.uidl(), m.size()))
        : Optional.empty();
  }

  private void progress() {
    scanned++;
    if (scanned % PROGRESS_EVERY == 0 && scanned < toScanTotal) {
      LOG.info("session {}: scanned {} of {} messages", session.id(), scanned, toScanTotal);
    }
  }

  private void budgetSpent() {
    if (finished) {
      return;
    }
    budgetSpent = true;
    List<Listed> left = new ArrayList<>(toScan);
    left.addAll(inFlight.values());
    toScan.clear();
    int waiting = left.size();
    LOG.warn(
        "session {}: scan budget of {} s spent with {} messages unscanned; they follow the"
            + " scan-error action",
        session.id(),
        budget.toSeconds(),
        waiting);
    for (Listed m : left) {
      decided.put(m.number(), unscannable(m));
    }
    // Messages being fetched or analysed now finish in the background and store their verdicts;
    // this session treats them as unscanned. A fetch still on the wire is answered before any
    // client command that follows, so the relay's order holds.
    finish();
  }

  private void finish() {
    if (finished) {
      return;
    }
    finished = true;
    cancelBudget();
    if (relay.closed()) {
      return;
    }
    List<MaildropEntry> entries = new ArrayList<>();
    int hidden = 0;
    for (Optional<MaildropEntry> e : decided.values()) {
      if (e.isPresent()) {
        entries.add(e.get());
      } else {
        hidden++;
      }
    }
    LOG.info(
        "session {}: maildrop ready, {} messages shown, {} withheld, {} scanned in {} ms",
        session.id(),
        entries.size(),
        hidden,
        scanned,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    relay.maildropReady(
        new VirtualMaildrop(relay, new RenditionServer(relay, filter, blocking), entries));
  }

  private void cancelBudget() {
    if (budgetTimer != null) {
      budgetTimer.cancel(false);
    }
  }

  private void unavailable(String reason) {
    finished = true;
    cancelBudget();
    relay.fail(Pop3Reply.FILTER_UNAVAILABLE, reason);
  }

  // ---- parsing the listings ----

  private static Optional<Map<Integer, String>> parseUidls(List<String> lines) {
    Map<Integer, String> out = new HashMap<>();
    for (String line : lines) {
      String[] parts = line.split(" ", -1);
      if (parts.length != 2 || !isUidl(parts[1])) {
        return Optional.empty();
      }
      int n = Pop3CommandParser.number(parts[0]);
      if (n < 1 || out.put(n, parts[1]) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  private static Optional<List<Listed>> join(Map<Integer, String> uidls, List<String> lines) {
    List<Listed> out = new ArrayList<>();
    for (String line : lines) {
      String[] parts = line.split(" ");
      if (parts.length < 2) {
        return Optional.empty();
      }
      int n = Pop3CommandParser.number(parts[0]);
      long size = parseSize(parts[1]);
      String uidl = uidls.get(n);
      if (n < 1 || size < 0 || uidl == null) {
        return Optional.empty();
      }
      out.add(new Listed(n, uidl, size));
    }
    return out.size() == uidls.size() ? Optional.of(out) : Optional.empty();
  }

  private static long parseSize(String s) {
    if (s.isEmpty() || s.length() > 15) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** RFC 1939 §7 unique-id: also what keeps CR, LF and spaces out of the gateway's own answers. */
  static boolean isUidl(String s) {
    if (s.isEmpty() || s.length() > MAX_UIDL) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  private static void closeQuietly(Spool spool) {
    try {
      spool.close();
    } catch (IOException e) {
      // Left to the scan directory's own clean-up; nothing the client needs to know.
    }
  }

  private static Throwable rootCause(Throwable t) {
    Throwable c = t;
    while (c.getCause() != null && c.getCause() != c) {
      c = c.getCause();
    }
    return c;
  }
}
