package io.portcullis.gateway.imap.scan;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.portcullis.filter.io.Spool;
import io.portcullis.gateway.filtering.FilterOutcome;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.upstream.ImapUpstreamLogin;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.policy.FilterAction;
import io.portcullis.policy.Tag;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scan on arrival for one IMAP session: on a side connection with the session's credentials, scans
 * every message above a mailbox's durable high-water mark (BODY.PEEK, so {@code \Seen} stays as it
 * is), carries out the policy's action upstream (junk → {@code $Junk} and MOVE to Junk; strip and
 * tag → APPEND the rendition with the original's flags and date, then MOVE the original into the
 * hidden quarantine mailbox; quarantine → MOVE; keyword-only tag → STORE), and only then advances
 * the mark. Every step is journaled first so that a crash resumes without losing or duplicating an
 * original. Scans run one at a time on the session's own virtual thread. Thread-safe.
 */
public final class ArrivalScanner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ArrivalScanner.class);

  /** The header that marks a rendition the gateway appended; its value is a random nonce. */
  static final String RENDITION_HEADER = "X-Portcullis-Rendition";

  /** Longest wait for one scan of one message (the filter has its own, shorter, timeout). */
  private static final Duration FILTER_WAIT = Duration.ofMinutes(10);

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Messages fetched in one command. */
  private static final int BATCH = 16;

  /** Octets (by RFC822.SIZE) fetched in one command, unless one message alone is larger. */
  private static final long BATCH_OCTETS = 4L << 20;

  /** Batches between progress lines in the log, for a first scan of a large mailbox. */
  private static final int PROGRESS_EVERY = 20;

  /**
   * How the scanner acts upstream.
   *
   * @param quarantineMailbox the mailbox that holds originals, hidden from clients
   * @param junkMailbox the mailbox for junk when none has the {@code \Junk} attribute
   * @param commandTimeout longest wait for one upstream response
   */
  public record Settings(String quarantineMailbox, String junkMailbox, Duration commandTimeout) {
    public static final Settings DEFAULTS =
        new Settings("Quarantine", "Junk", Duration.ofMinutes(2));

    public Settings {
      for (String name : new String[] {quarantineMailbox, junkMailbox}) {
        if (name == null || name.isEmpty() || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
          throw new IllegalArgumentException("mailbox names must be printable");
        }
      }
      if (commandTimeout == null || commandTimeout.isNegative() || commandTimeout.isZero()) {
        throw new IllegalArgumentException("command timeout must be positive");
      }
    }
  }

  /**
   * What one scan did.
   *
   * @param scanned messages looked at above the mark
   * @param removed the UIDs of originals taken out of the mailbox (moved to Junk or the quarantine
   *     mailbox); the client must never receive their content
   */
  public record Result(int scanned, List<Long> removed) {
    public Result {
      removed = List.copyOf(removed);
    }
  }

  /**
   * What a scan established: every message of the mailbox (with this UIDVALIDITY) below {@code
   * uidNext} is scanned and acted on. Marks only grow, so it stays true.
   */
  public record Settled(long uidValidity, long uidNext) {}

  /** Places between the steps of an upstream action; a test hook may "crash" at each. */
  enum Point {
    PLANNED,
    APPENDED,
    COPIED,
    REMOVED
  }

  /** The fault-injection seam: called after each durable step. */
  interface StepHook {
    void reached(Point point, long uid) throws IOException;
  }

  /** Opens the logged-in side connection. */
  interface Opener {
    SideConnection open() throws IOException;
  }

  private final MessageFilter filter;
  private final SessionFilter session;
  private final Settings settings;
  private final Opener opener;
  private final StepHook hook;
  private final boolean useMove;
  private final ScanJournal journal;
  private final ExecutorService worker;
  private final SideConnectionPool pool;
  private final Map<String, Settled> settled = new java.util.concurrent.ConcurrentHashMap<>();
  private final SideConnectionPool.Key poolKey;
  private volatile SideConnection side;

  /** The side connection came from the pool and no scan has used it yet: it may be dead. */
  private boolean unproven;

  private UpstreamMailboxes boxes;
  private String junk;
  private boolean releasesDone;
  private volatile boolean closed;

  /** Guarded by this: whether a scan runs now (it owns the side connection until it ends). */
  private boolean scanning;

  ArrivalScanner(
      MessageFilter filter,
      SessionFilter session,
      Settings settings,
      Opener opener,
      StepHook hook,
      boolean useMove) {
    this(filter, session, settings, opener, hook, useMove, null, null);
  }

  /** With {@code pool} non-null, the side connection is taken from and given back to it. */
  ArrivalScanner(
      MessageFilter filter,
      SessionFilter session,
      Settings settings,
      Opener opener,
      StepHook hook,
      boolean useMove,
      SideConnectionPool pool,
      SideConnectionPool.Key poolKey) {
    this.pool = pool;
    this.poolKey = poolKey;
    this.useMove = useMove;
    this.filter = filter;
    this.session = session;
    this.settings = settings;
    this.opener = opener;
    this.hook = hook;
    this.journal = new ScanJournal(filter.state());
    this.worker =
        Executors.newSingleThreadExecutor(Thread.ofVirtual().name("imap-scan-", 0).factory());
  }

  /**
   * A scanner for one session; the side connection is the one the account's previous session left
   * in {@code pool}, or opens at the first scan, on {@code client}'s event loop, with the
   * credentials the session logged in with; when the session ends it goes back to {@code pool}.
   */
  public static ArrivalScanner forSession(
      MessageFilter filter,
      SessionFilter session,
      Settings settings,
      UpstreamConnector connector,
      UpstreamCredentials credentials,
      Channel client,
      SideConnectionPool pool) {
    return new ArrivalScanner(
        filter,
        session,
        settings,
        opener(settings, connector, credentials, client),
        (p, uid) -> {},
        true,
        pool,
        new SideConnectionPool.Key(
            session.account(), connector.endpoint().toString(), credentials.user()));
  }

  /** Logs in on {@code client}'s event loop and attaches a side connection. */
  static Opener opener(
      Settings settings,
      UpstreamConnector connector,
      UpstreamCredentials credentials,
      Channel client) {
    return () -> {
      try {
        // Started on the event loop: the flow's handlers must be in place before the connection
        // can read the greeting, which a start from this thread would race with.
        Future<ImapUpstreamLogin.Session> login =
            client
                .eventLoop()
                .submit(
                    () -> ImapUpstreamLogin.start(connector, credentials, client, Optional.empty()))
                .get();
        if (!login.await(settings.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)
            || !login.isSuccess()) {
          login.addListener(f -> closeLate(login));
          throw new IOException("side connection login failed");
        }
        ImapUpstreamLogin.Session up = login.getNow();
        return client
            .eventLoop()
            .submit(
                () ->
                    SideConnection.attach(
                        up.channel(),
                        up.capabilities(),
                        connector.limits().upstreamLineLength(),
                        settings.commandTimeout()))
            .get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      } catch (ExecutionException e) {
        throw new IOException("side connection setup failed");
      }
    };
  }

  private static void closeLate(Future<ImapUpstreamLogin.Session> login) {
    if (login.isSuccess()) {
      login.getNow().channel().close();
    }
  }

  /**
   * What the scans of {@code mailbox} established, in this session or (remembered by the pool) in
   * an earlier one of the account, if any: a SELECT answer whose UIDVALIDITY matches and whose
   * UIDNEXT is not above it holds nothing unscanned.
   */
  public Optional<Settled> settled(String mailbox) {
    Settled mine = settled.get(mailbox);
    if (mine != null || pool == null) {
      return Optional.ofNullable(mine);
    }
    return pool.settled(session.account(), mailbox);
  }

  /** The quarantine mailbox's name, which the relay hides from the client. */
  public String quarantineMailbox() {
    return settings.quarantineMailbox();
  }

  /**
   * Scans {@code mailbox} (as the client names it, modified UTF-7) above its mark; completes on the
   * scanner's thread once every such message was acted on and the mark moved past it.
   */
  public CompletableFuture<Result> scan(String mailbox) {
    return onWorker(() -> scanNow(mailbox));
  }

  /**
   * Scans {@code mailbox} ahead of the client's asking, but only on a side connection the account's
   * previous session left in the pool: a session that never selects it costs no upstream login.
   * Completes with empty when no connection was kept, having done nothing.
   */
  public CompletableFuture<Optional<Result>> scanAhead(String mailbox) {
    return onWorker(
        () -> side != null || reuseKept() ? Optional.of(scanNow(mailbox)) : Optional.empty());
  }

  /**
   * Carries out the releases requested for the account (quarantine release), in the background: a
   * session whose SELECT is answered on an earlier scan's word never scans, so it would otherwise
   * never get to them. Opens (or takes) a side connection only when one is pending. Completes with
   * whether any was.
   */
  public CompletableFuture<Boolean> releaseAhead() {
    return onWorker(
        () -> {
          if (releasesDone || filter.releases().pending(session.account()).isEmpty()) {
            return false;
          }
          ensureOpen();
          releasesDone = true;
          releasePending();
          return true;
        });
  }

  /** A step of the scanner's work that may fail with an exception. */
  private interface Work<T> {
    T run() throws Exception;
  }

  /** Runs {@code work} on the scanner's thread, which owns the side connection meanwhile. */
  private <T> CompletableFuture<T> onWorker(Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      worker.execute(
          () -> {
            synchronized (this) {
              if (closed) {
                result.completeExceptionally(new IOException("scanner closed"));
                return;
              }
              scanning = true;
            }
            T done = null;
            Throwable failed = null;
            try {
              done = work.run();
            } catch (Exception | StackOverflowError e) {
              failed = e;
            }
            boolean ended;
            synchronized (this) {
              scanning = false;
              ended = closed;
            }
            if (ended) {
              // The session ended during this scan: only a scan that finished left the
              // connection between commands, fit for the account's next session.
              releaseSide(failed == null);
            }
            if (failed == null) {
              result.complete(done);
            } else {
              result.completeExceptionally(failed);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      result.completeExceptionally(new IOException("scanner closed"));
    }
    return result;
  }

  Result scanNow(String mailbox) throws IOException {
    ensureOpen();
    try {
      Result r = scanOn(mailbox);
      unproven = false;
      return r;
    } catch (IOException e) {
      boolean kept = unproven;
      unproven = false;
      if (!kept || side == null || side.isOpen()) {
        throw e;
      }
      // The kept connection was logged out while it waited (autologout, upstream restart): the
      // scan is journaled step by step, so it resumes on a new login like after a crash.
      LOG.debug("a kept side connection of {} was closed; logging in again", session.account());
      ensureOpen();
      return scanOn(mailbox);
    }
  }

  private Result scanOn(String mailbox) throws IOException {
    if (!releasesDone) {
      releasesDone = true;
      releasePending();
    }
    if (!mailbox.equals(boxes.selected())) {
      // Most scans find nothing new (every session's SELECT, and the EXISTS in its answer): STATUS
      // says so in one cheap command, where SELECT would open the mailbox (RFC 9051 §6.3.11).
      UpstreamMailboxes.Status status = boxes.status(mailbox);
      if (status == null) {
        return new Result(0, List.of()); // no such mailbox: nothing to scan, nothing to show
      }
      String box = ScanJournal.mailboxKey(session.account(), mailbox, status.uidValidity());
      // Nothing new exactly when no UID was given out since the last one scanned; a UIDNEXT at or
      // below it means the server reused the UIDVALIDITY (SELECT path below).
      if (status.uidNext() > 0
          && status.uidNext() == journal.mark(box) + 1
          && journal.open(box).isEmpty()) {
        settle(mailbox, new Settled(status.uidValidity(), status.uidNext()));
        return new Result(0, List.of());
      }
    }
    long validity = boxes.select(mailbox);
    if (validity == 0) {
      return new Result(0, List.of()); // no such mailbox: nothing to scan, nothing to show
    }
    long uidNextAtSelect = boxes.uidNext();
    String box = ScanJournal.mailboxKey(session.account(), mailbox, validity);
    if (uidNextAtSelect > 0 && uidNextAtSelect <= journal.mark(box)) {
      // UIDs are never given out twice within a UIDVALIDITY (RFC 9051 §2.3.1.1), so this is a new
      // mailbox under the old UIDVALIDITY (GreenMail reuses it for a mailbox created again within
      // the same second): what was scanned under it says nothing of the messages now there.
      LOG.warn(
          "a mailbox of {} has UIDs below what was scanned under the same UIDVALIDITY; the server"
              + " reused it: scanning the mailbox again",
          session.account());
      journal.forget(box);
    }
    List<Long> removed = new java.util.ArrayList<>();
    for (ScanJournal.Entry e : journal.open(box)) {
      if (resume(box, mailbox, e) > 0) {
        removed.add(e.uid());
      }
    }
    long mark = journal.mark(box);
    // UIDNEXT from the SELECT spares the FETCH round trip when nothing arrived since the last scan.
    List<FetchItems> fresh = boxes.mayHoldAbove(mark) ? boxes.above(mark) : List.of();
    int scanned = 0;
    // Batches: one FETCH brings several bodies (one round trip), the filter analyses them in
    // parallel on its pool, and actions then go in UID order. The mark is written after each
    // batch: a crash rescans at most one batch (harmless: actions are journaled, renditions and
    // moved copies are skipped until the mark is past them).
    List<Long> skipped = new java.util.ArrayList<>();
    int batches = 0;
    for (int i = 0; i < fresh.size(); ) {
      if (closed) {
        throw new IOException("scanner closed");
      }
      int end = batchEnd(fresh, i);
      List<FetchItems> batch = fresh.subList(i, end);
      i = end;
      if (++batches % PROGRESS_EVERY == 0) {
        LOG.info(
            "scanning a mailbox of {}: {} of {} new messages done",
            session.account(),
            i,
            fresh.size());
      }
      List<FetchItems> toScan = new java.util.ArrayList<>();
      for (FetchItems item : batch) {
        if (journal.isSkipped(box, item.uid())) {
          skipped.add(item.uid());
        } else {
          toScan.add(item);
        }
      }
      List<InFlight> flights = start(mailbox, validity, toScan);
      try {
        for (InFlight f : flights) {
          scanned++;
          if (finish(box, mailbox, f) > 0) {
            removed.add(f.item().uid());
          }
        }
      } finally {
        for (InFlight f : flights) {
          f.close();
        }
      }
      journal.advance(box, batch.get(batch.size() - 1).uid());
    }
    for (long uid : skipped) {
      journal.forgetSkip(box, uid);
    }
    if (uidNextAtSelect > 0) {
      // Every message the SELECT knew of (below its UIDNEXT) is scanned and acted on now.
      settle(mailbox, new Settled(validity, uidNextAtSelect));
    }
    if (scanned > 0) {
      LOG.info(
          "scanned {} new message(s) in a mailbox of {}, {} removed",
          scanned,
          session.account(),
          removed.size());
    }
    boxes.unselect(); // so that the next scan may ask STATUS
    return new Result(scanned, removed);
  }

  /** Remembers what a scan established, for this session and (through the pool) the next ones. */
  private void settle(String mailbox, Settled now) {
    settled.put(mailbox, now);
    if (pool != null) {
      pool.settle(session.account(), mailbox, now);
    }
  }

  /** Makes sure a logged-in side connection is there. */
  private void ensureOpen() throws IOException {
    if (closed) {
      throw new IOException("scanner closed");
    }
    if (side != null && !side.isOpen()) {
      // The upstream logged the idle side connection out (autologout after 30 minutes): reopen.
      side.close();
      side = null;
      junk = null;
    }
    if (side != null || reuseKept()) {
      return;
    }
    side = opener.open();
    if (closed) {
      side.close();
      throw new IOException("scanner closed");
    }
    boxes = UpstreamMailboxes.of(side);
    boxes.ensureExists(settings.quarantineMailbox());
  }

  /**
   * Takes the connection the account's previous session left, if it is still open. No command
   * proves it first (a round trip on every session): a scan whose kept connection turns out to be
   * closed logs in again and resumes (scanNow).
   */
  private boolean reuseKept() {
    if (pool == null) {
      return false;
    }
    Optional<SideConnectionPool.Idle> kept = pool.take(poolKey);
    if (kept.isEmpty()) {
      return false;
    }
    if (!kept.get().side().isOpen()) {
      kept.get().side().close();
      return false;
    }
    side = kept.get().side();
    boxes = kept.get().boxes();
    junk = kept.get().junk();
    unproven = true;
    return true;
  }

  /** Gives the side connection to the pool when it is between commands, or logs it out. */
  private void releaseSide(boolean reusable) {
    SideConnection s = side;
    side = null;
    if (s == null) {
      return;
    }
    if (reusable && pool != null && s.isOpen()) {
      pool.give(poolKey, new SideConnectionPool.Idle(s, boxes, junk));
    } else {
      s.close();
    }
  }

  /** A message fetched and handed to the filter; acted on once its outcome is known. */
  private record InFlight(
      FetchItems item, Spool original, CompletableFuture<FilterOutcome> outcome) {
    void close() throws IOException {
      if (original != null) {
        original.close();
      }
    }
  }

  /**
   * Where the batch starting at {@code from} ends: at most {@link #BATCH} messages and, beyond the
   * first, at most {@link #BATCH_OCTETS} (so a session holds a bounded amount of mail at once).
   */
  private static int batchEnd(List<FetchItems> items, int from) {
    int end = from + 1;
    long octets = Math.max(0, items.get(from).size());
    while (end < items.size() && end - from < BATCH) {
      octets += Math.max(0, items.get(end).size());
      if (octets > BATCH_OCTETS) {
        break;
      }
      end++;
    }
    return end;
  }

  /** Fetches the batch's bodies in one command and hands each to the filter. */
  private List<InFlight> start(String mailbox, long validity, List<FetchItems> items)
      throws IOException {
    List<InFlight> flights = new java.util.ArrayList<>();
    Map<Long, Spool> spools = new java.util.HashMap<>();
    try {
      for (FetchItems item : items) {
        if (filter.needsContent(session, item.size())) {
          spools.put(item.uid(), filter.newSpool());
        }
      }
      if (!spools.isEmpty()) {
        boxes.fetchBodies(
            items.stream().map(FetchItems::uid).filter(spools::containsKey).toList(), spools::get);
      }
      for (FetchItems item : items) {
        MessageRef ref = MessageRef.imap(session.account(), mailbox, validity, item.uid());
        Spool original = spools.remove(item.uid());
        if (original == null) {
          flights.add(
              new InFlight(
                  item,
                  null,
                  CompletableFuture.completedFuture(filter.unscanned(session, ref, item.size()))));
          continue;
        }
        original.seal();
        if (original.size() == 0) {
          // Expunged meanwhile: nothing to show, nothing to act on.
          original.close();
          flights.add(new InFlight(item, null, CompletableFuture.completedFuture(null)));
          continue;
        }
        flights.add(new InFlight(item, original, filter.filter(session, ref, original)));
      }
      return flights;
    } catch (IOException | RuntimeException e) {
      for (Spool sp : spools.values()) {
        sp.close();
      }
      for (InFlight f : flights) {
        f.close();
      }
      throw e;
    }
  }

  private int finish(String box, String mailbox, InFlight f) throws IOException {
    try {
      FilterOutcome outcome = await(f.outcome());
      if (outcome == null) {
        return 0;
      }
      try {
        return act(box, mailbox, f.item(), outcome);
      } finally {
        if (outcome.rendition().isPresent()) {
          outcome.rendition().get().close();
        }
      }
    } finally {
      f.close();
    }
  }

  private static FilterOutcome await(CompletableFuture<FilterOutcome> f) throws IOException {
    try {
      return f.get(FILTER_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      // The filter turns its own failures into the scan-error action; this is not one of them.
      throw new IOException("filter failed", e);
    }
  }

  /** Carries out the outcome upstream; returns 1 when the original left the mailbox. */
  private int act(String box, String mailbox, FetchItems item, FilterOutcome outcome)
      throws IOException {
    FilterAction action = outcome.action();
    Optional<Tag> tag = outcome.tag();
    switch (action) {
      case ALLOW -> {
        return 0;
      }
      case TAG -> {
        if (tag.isPresent() && tag.get().keywordOnly()) {
          boxes.addFlags(item.uid(), tag.get().keyword());
          return 0;
        }
        return replace(box, mailbox, item, outcome);
      }
      case STRIP -> {
        return replace(box, mailbox, item, outcome);
      }
      case JUNK -> {
        boxes.addFlags(item.uid(), "$Junk");
        if (junk().equals(mailbox)) {
          return 0; // already where junk goes
        }
        moveOriginal(box, item.uid(), junk(), Optional.empty(), mailbox);
        return 1;
      }
      case QUARANTINE -> {
        moveOriginal(
            box, item.uid(), settings.quarantineMailbox(), outcome.quarantineId(), mailbox);
        return 1;
      }
    }
    throw new IllegalStateException("unknown action");
  }

  private String junk() throws IOException {
    if (junk == null) {
      junk = boxes.junkMailbox(settings.junkMailbox());
    }
    return junk;
  }

  /** APPEND the rendition, then move the original into the quarantine mailbox. */
  private int replace(String box, String mailbox, FetchItems item, FilterOutcome outcome)
      throws IOException {
    if (outcome.rendition().isEmpty()) {
      // Nothing to show instead: the original is withheld, which is the safe side.
      moveOriginal(box, item.uid(), settings.quarantineMailbox(), outcome.quarantineId(), mailbox);
      return 1;
    }
    String nonce = HexFormat.of().formatHex(nonce());
    ScanJournal.Entry entry =
        new ScanJournal.Entry(
            item.uid(), ScanJournal.Step.PLANNED, settings.quarantineMailbox(), nonce);
    journal.write(box, entry);
    hook.reached(Point.PLANNED, item.uid());
    Spool rendition = outcome.rendition().get();
    byte[] header = (RENDITION_HEADER + ": " + nonce + "\r\n").getBytes(StandardCharsets.US_ASCII);
    Optional<Long> appended;
    try (InputStream in =
        new SequenceInputStream(new ByteArrayInputStream(header), rendition.openStream())) {
      appended =
          boxes.append(
              mailbox,
              renditionFlags(item, outcome),
              item.internalDate(),
              header.length + rendition.size(),
              in);
    }
    Optional<Long> renditionUid =
        appended.isPresent() ? appended : boxes.findByHeader(RENDITION_HEADER, nonce);
    renditionUid.ifPresent(uid -> journal.skip(box, uid));
    journal.write(box, entry.at(ScanJournal.Step.APPENDED));
    hook.reached(Point.APPENDED, item.uid());
    moveOriginal(box, item.uid(), settings.quarantineMailbox(), outcome.quarantineId(), mailbox);
    return 1;
  }

  /** The original's flags, and a tag's keyword (RFC 9051 §2.3.2) on a tagged rendition. */
  private static List<String> renditionFlags(FetchItems item, FilterOutcome outcome) {
    List<String> flags = new java.util.ArrayList<>(item.flags());
    if (outcome.action() == FilterAction.TAG && outcome.tag().isPresent()) {
      String keyword = outcome.tag().get().keyword();
      if (flags.stream().noneMatch(keyword::equalsIgnoreCase)) {
        flags.add(keyword);
      }
    }
    return flags;
  }

  private static byte[] nonce() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Moves an original (MOVE, or COPY then remove, journaled between), records where a quarantined
   * one went, and closes its journal entry.
   */
  private void moveOriginal(
      String box, long uid, String target, Optional<String> quarantineId, String mailbox)
      throws IOException {
    Optional<UpstreamMailboxes.Copied> to;
    if (useMove && boxes.canMove()) {
      to = boxes.move(uid, target);
    } else {
      ScanJournal.Entry planned =
          journal.open(box).stream()
              .filter(e -> e.uid() == uid)
              .findFirst()
              .orElse(new ScanJournal.Entry(uid, ScanJournal.Step.PLANNED, target, ""));
      to = boxes.copy(uid, target);
      journal.write(box, planned.at(ScanJournal.Step.COPIED));
      hook.reached(Point.COPIED, uid);
      boxes.removeOriginal(uid);
    }
    if (to.isPresent()) {
      // Scanned once is enough: the copy is not scanned again where it went (Junk).
      journal.skip(
          ScanJournal.mailboxKey(session.account(), target, to.get().uidValidity()),
          to.get().uid());
      if (quarantineId.isPresent()) {
        journal.quarantined(quarantineId.get(), mailbox, target, to.get().uid());
      }
    }
    journal.done(box, uid);
    hook.reached(Point.REMOVED, uid);
  }

  /** Finishes an action a crash interrupted; returns 1 when the original left the mailbox. */
  private int resume(String box, String mailbox, ScanJournal.Entry e) throws IOException {
    switch (e.step()) {
      case PLANNED -> {
        Optional<Long> rendition =
            e.nonce().isEmpty()
                ? Optional.empty()
                : boxes.findByHeader(RENDITION_HEADER, e.nonce());
        if (rendition.isEmpty()) {
          // Nothing was changed upstream: the message is simply scanned again.
          journal.done(box, e.uid());
          return 0;
        }
        journal.skip(box, rendition.get());
        journal.write(box, e.at(ScanJournal.Step.APPENDED));
        return resume(box, mailbox, e.at(ScanJournal.Step.APPENDED));
      }
      case APPENDED -> {
        if (boxes.exists(e.uid())) {
          moveOriginal(box, e.uid(), e.target(), Optional.empty(), mailbox);
        } else {
          journal.done(box, e.uid());
        }
        journal.advance(box, e.uid());
        return 1;
      }
      case COPIED -> {
        if (boxes.exists(e.uid())) {
          boxes.removeOriginal(e.uid());
        }
        journal.done(box, e.uid());
        journal.advance(box, e.uid());
        return 1;
      }
    }
    return 0;
  }

  /**
   * Carries out releases asked for with {@code portcullis quarantine release}: the original moves
   * back from the quarantine mailbox to where it was, and is not scanned again there.
   */
  private void releasePending() throws IOException {
    Releases releases = filter.releases();
    for (Releases.Release r : releases.pending(session.account())) {
      Optional<Map<String, String>> where = journal.whereQuarantined(r.quarantineId());
      if (where.isEmpty()) {
        continue; // not an IMAP quarantine of this gateway's, or already released
      }
      String mailbox = where.get().get("mailbox");
      long uid = Long.parseLong(where.get().get("uid"));
      if (boxes.select(where.get().get("quarantine-mailbox")) != 0 && boxes.exists(uid)) {
        Optional<UpstreamMailboxes.Copied> back;
        if (useMove && boxes.canMove()) {
          back = boxes.move(uid, mailbox);
        } else {
          back = boxes.copy(uid, mailbox);
          boxes.removeOriginal(uid);
        }
        back.ifPresent(
            c ->
                journal.skip(
                    ScanJournal.mailboxKey(session.account(), mailbox, c.uidValidity()), c.uid()));
      }
      journal.released(r.quarantineId());
      releases.done(r);
    }
  }

  /** Closes the side connection as an upstream's autologout would (tests). */
  void dropSideConnection() {
    SideConnection s = side;
    if (s != null) {
      s.abort();
    }
  }

  /** Abandons the side connection without LOGOUT, as a crash would (tests). */
  void crash() {
    closed = true;
    worker.shutdownNow();
    SideConnection s = side;
    side = null;
    if (s != null) {
      s.abort();
    }
  }

  @Override
  public void close() {
    boolean idle;
    synchronized (this) {
      closed = true;
      idle = !scanning;
    }
    worker.shutdownNow();
    if (idle) {
      releaseSide(true);
    }
  }
}
