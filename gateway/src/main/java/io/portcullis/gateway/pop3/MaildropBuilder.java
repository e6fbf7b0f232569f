package io.portcullis.gateway.pop3;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.filter.io.Spool;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.policy.FilterAction;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
 * Builds the virtual maildrop after login (DESIGN: POP3): UIDL and LIST upstream (in one round trip
 * when the upstream announces PIPELINING), a stored verdict per UIDL or else RETR on the session's
 * own connection and a scan, within a time budget after which the messages left follow the
 * scan-error action (fail closed). Fetches are sequential; up to {@link #ANALYSIS_WINDOW} analyses
 * overlap them on the filter's pool. Store I/O runs on {@code blocking}. Confined to the event
 * loop, apart from the work it hands off.
 */
final class MaildropBuilder {
  private static final Logger LOG = LoggerFactory.getLogger(MaildropBuilder.class);

  /** Messages analysed while the next one is fetched: keeps the pool busy, bounds spooled bytes. */
  static final int ANALYSIS_WINDOW = 4;

  /** Large maildrops log their progress every this many messages. */
  static final int PROGRESS_EVERY = 50;

  /** Where store and spool I/O runs: virtual threads, so waiting on a disk costs no carrier. */
  static final Executor BLOCKING =
      Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pop3-maildrop-", 0).factory());

  private final Pop3Relay relay;
  private final ClientSession session;
  private final MessageFilter filter;
  private final SessionFilter sessionFilter;
  private final VerdictKeeper keeper;
  private final Executor blocking;
  private final Duration budget;
  private final EventLoop loop;

  /** The decision per upstream message number: the client's view, or empty when withheld. */
  private final Map<Integer, Optional<MaildropEntry>> decided = new TreeMap<>();

  private final ArrayDeque<UpstreamListing.Message> toScan = new ArrayDeque<>();
  private final Map<Integer, UpstreamListing.Message> inFlight = new HashMap<>();

  /** The UIDL answer's ids while the LIST pipelined behind it is awaited. */
  private Optional<Map<Integer, String>> uidlAnswer = Optional.empty();

  /** The account's pending releases, read while the listing is on its way. */
  private CompletableFuture<Map<String, Releases.Release>> releases;

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
    this.keeper = new VerdictKeeper(filter, sessionFilter.account(), clock);
    this.blocking = blocking;
    this.budget = budget;
    this.loop = relay.client().channel().eventLoop();
  }

  void start() {
    startNanos = System.nanoTime();
    // Read while the listing is on its way, so that the usual later session decides on the event
    // loop. A release asked for meanwhile is carried out by the next session.
    releases = CompletableFuture.supplyAsync(keeper::pendingReleases, blocking);
    if (relay.upstreamPipelines()) {
      // RFC 2449 §6.6: UIDL and LIST in one round trip, not two; answers come back in order.
      relay.forward(
          new Pop3Command.Uidl(Optional.empty()),
          new ListingCapture(lines -> uidlAnswer = uidls(lines)));
      relay.forward(
          new Pop3Command.List(Optional.empty()),
          new ListingCapture(lines -> onListing(uidlAnswer, lines)));
      return;
    }
    relay.forward(
        new Pop3Command.Uidl(Optional.empty()),
        new ListingCapture(
            lines -> {
              Optional<Map<Integer, String>> uidls = uidls(lines);
              if (!relay.closed() && usable(uidls)) {
                relay.forward(
                    new Pop3Command.List(Optional.empty()),
                    new ListingCapture(listLines -> onListing(uidls, listLines)));
              }
            }));
  }

  private static Optional<Map<Integer, String>> uidls(Optional<List<String>> uidlLines) {
    return uidlLines.flatMap(UpstreamListing::uidls);
  }

  /** Whether a UIDL answer can key verdicts; if not, the session ends with the reason. */
  private boolean usable(Optional<Map<Integer, String>> uidls) {
    if (uidls.isPresent()) {
      return true;
    }
    // Without unique ids no verdict can be remembered; serving unscanned mail is not an option.
    unavailable("upstream-uidl-unusable");
    return false;
  }

  private void onListing(Optional<Map<Integer, String>> uidls, Optional<List<String>> listLines) {
    if (relay.closed() || !usable(uidls)) {
      return;
    }
    Optional<List<UpstreamListing.Message>> listed =
        listLines.flatMap(l -> UpstreamListing.join(uidls.get(), l));
    if (listed.isEmpty()) {
      unavailable("upstream-list-unusable");
      return;
    }
    List<UpstreamListing.Message> messages = listed.get();
    if (releases.isDone() && !releases.isCompletedExceptionally()) {
      Optional<List<VerdictKeeper.Known>> known = keeper.lookUpInMemory(messages, releases.join());
      if (known.isPresent()) {
        onKnown(known.get());
        return;
      }
    }
    releases
        .thenApplyAsync(pending -> keeper.lookUp(messages, pending), blocking)
        .whenComplete(
            (known, failure) ->
                loop.execute(
                    () -> {
                      if (failure == null) {
                        onKnown(known);
                        return;
                      }
                      LOG.warn(
                          "session {}: verdict store unavailable ({})",
                          session.id(),
                          rootCause(failure).getClass().getSimpleName());
                      unavailable("verdict-store-unavailable");
                    }));
  }

  private void onKnown(List<VerdictKeeper.Known> known) {
    if (relay.closed()) {
      return;
    }
    for (VerdictKeeper.Known k : known) {
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
      UpstreamListing.Message m = toScan.poll();
      fetching = true;
      inFlight.put(m.number(), m);
      if (!filter.needsContent(sessionFilter, m.size())) {
        // Not scanned, but measured: an upstream's LIST size is a claim (GreenMail's is off), and
        // the client must never see a size that disagrees with what RETR then sends.
        relay.forward(
            new Pop3Command.Retr(m.number()), new SizeCapture(size -> onMeasured(m, size)));
        continue;
      }
      relay.forward(
          new Pop3Command.Retr(m.number()),
          new RetrCapture(
              filter.newSpool(),
              relay.upstreamChannel(),
              blocking,
              spoolReady -> onFetched(m, spoolReady)));
    }
    if (!fetching && analysing == 0 && toScan.isEmpty()) {
      finish();
    }
  }

  private void onFetched(UpstreamListing.Message m, CompletableFuture<Spool> spoolReady) {
    fetching = false;
    analysing++;
    MessageRef ref = keeper.ref(m);
    spoolReady
        .thenCompose(spool -> filter.filter(sessionFilter, ref, spool))
        .thenApplyAsync(outcome -> keeper.remember(m, outcome), blocking)
        .whenComplete(
            (entry, failure) -> {
              spoolReady.thenAcceptAsync(MaildropBuilder::closeQuietly, blocking);
              loop.execute(() -> analysed(m, entry, failure));
            });
    pump();
  }

  private void onMeasured(UpstreamListing.Message m, long size) {
    fetching = false;
    analysing++;
    if (size < 0) {
      analysed(m, Optional.empty(), new IOException("message not retrieved"));
      return;
    }
    CompletableFuture.supplyAsync(
            () -> keeper.remember(m, filter.unscanned(sessionFilter, keeper.ref(m), size)),
            blocking)
        .whenComplete((entry, failure) -> loop.execute(() -> analysed(m, entry, failure)));
    pump();
  }

  private void analysed(
      UpstreamListing.Message m, Optional<MaildropEntry> entry, Throwable failure) {
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
   * only if the policy's scan-error action is allow, withheld otherwise (fail closed). Nothing is
   * stored, so the next session tries again.
   */
  private Optional<MaildropEntry> unscannable(UpstreamListing.Message m) {
    return sessionFilter.plan().onScanError() == FilterAction.ALLOW
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
    List<UpstreamListing.Message> left = new ArrayList<>(toScan);
    left.addAll(inFlight.values());
    toScan.clear();
    LOG.warn(
        "session {}: scan budget of {} s spent with {} messages unscanned; they follow the"
            + " scan-error action",
        session.id(),
        budget.toSeconds(),
        left.size());
    for (UpstreamListing.Message m : left) {
      decided.put(m.number(), unscannable(m));
    }
    // Messages being fetched or analysed finish in the background and store their verdicts for
    // the next session. A fetch still on the wire is answered before any client command that
    // follows it upstream, so the relay's order holds.
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
    for (Optional<MaildropEntry> e : decided.values()) {
      e.ifPresent(entries::add);
    }
    LOG.info(
        "session {}: maildrop ready, {} messages shown, {} withheld, {} scanned in {} ms",
        session.id(),
        entries.size(),
        decided.size() - entries.size(),
        scanned,
        String.format(Locale.ROOT, "%.1f", (System.nanoTime() - startNanos) / 1e6));
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

  private static void closeQuietly(Spool spool) {
    try {
      spool.close();
    } catch (IOException e) {
      // Left to the spool directory's clean-up at start; nothing the client needs to know.
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
