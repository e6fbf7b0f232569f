package io.portcullis.gateway.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.portcullis.gateway.imap.codec.ImapCommandParser;
import io.portcullis.gateway.imap.codec.ImapFrame;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.imap.codec.ResponseCodes;
import io.portcullis.gateway.imap.scan.ArrivalScanner;
import io.portcullis.gateway.server.HandlerNames;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IMAP authenticated and selected states (RFC 9051 §3.2, §3.3) after login: client commands are
 * framed and relayed with their literals streamed, a synchronizing literal released only by the
 * upstream's continuation request; upstream responses are framed into lines and literals, so every
 * message body's start and end is known, with capability lists filtered and referrals removed.
 * Backpressure both ways through auto-read. With filtering on, every response that announces new
 * messages ({@code * n EXISTS}) is held, with everything after it and the client's next commands,
 * until the {@link ArrivalScanner} has scanned and acted on them; the quarantine mailbox is hidden.
 * Confined to the event loop both channels share.
 */
final class ImapRelay extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ImapRelay.class);

  /** Commands that would change the connection's framing or identity: never relayed. */
  private static final Set<String> NOT_AFTER_LOGIN = Set.of("STARTTLS", "LOGIN", "AUTHENTICATE");

  private final ListenerContext context;
  private final ClientSession session;
  private final Channel upstream;
  private final ImapFramer clientFramer;
  private final ArrayDeque<ByteBuf> localReplies = new ArrayDeque<>();
  private ChannelHandlerContext client;

  /** Tag of the command being relayed, between its first segment and its end. */
  private String commandTag;

  /** Tag of the command whose synchronizing literal waits for the upstream's {@code +}. */
  private String literalTag;

  /** The upstream asked for a continuation that is not a literal (IDLE, RFC 2177): relay raw. */
  private boolean continuationOpen;

  /** The rest of the current client command is dropped (it was answered locally). */
  private boolean dropping;

  /** An upstream response is partly written: local replies wait for its end. */
  private boolean responseOpen;

  private String logoutTag;
  private boolean closed;

  /** The upstream closed after the client's LOGOUT while responses were held for a scan. */
  private boolean upstreamEnded;

  // ---- scan on arrival (all unused when scanner is null: filtering off) ----

  private static final Pattern EXISTS =
      Pattern.compile("\\* (\\d{1,10}) EXISTS", Pattern.CASE_INSENSITIVE);
  private static final Pattern EXPUNGE =
      Pattern.compile("\\* (\\d{1,10}) EXPUNGE", Pattern.CASE_INSENSITIVE);
  private static final Pattern FETCH =
      Pattern.compile("\\* (\\d{1,10}) FETCH .*", Pattern.CASE_INSENSITIVE);

  /** Longest literal mailbox name looked at in a LIST, LSUB or STATUS response. */
  private static final int MAX_LITERAL_NAME = 1024;

  private final ArrivalScanner scanner;

  /** RFC 9051 §5.1: the one mailbox every account has (as clients nearly always spell it). */
  private static final String INBOX = "INBOX";

  /** The scan of INBOX started with the session, until the first SELECT INBOX takes it. */
  private CompletableFuture<Optional<ArrivalScanner.Result>> inboxAhead;

  /**
   * A SELECT or EXAMINE sent upstream before any scan, because an earlier scan settled its mailbox:
   * its answer is checked (Peek) and, if mail arrived since, discarded and asked again after a
   * scan. The client's commands wait until its tagged answer is relayed.
   */
  private static final class SelectFirst {
    enum State {
      /** The answer is being read: relayed if its UIDNEXT shows nothing new. */
      CHECKING,
      /** It showed nothing new: the rest of it goes to the client the usual way. */
      PASSED,
      /** Everything upstream says is dropped until the scan ended and the SELECT is sent again. */
      DISCARDING,
      /** Sent again after the scan: its answer is relayed the usual way. */
      ASKED_AGAIN
    }

    final String tag;
    final String box;
    final ImapFrame.Segment command;

    /** What the earlier scan established, which the answer is checked against. */
    final ArrivalScanner.Settled settled;

    State state = State.CHECKING;
    boolean firstAnswered;
    boolean scanned;

    SelectFirst(String tag, String box, ImapFrame.Segment command, ArrivalScanner.Settled settled) {
      this.tag = tag;
      this.box = box;
      this.command = command;
      this.settled = settled;
    }
  }

  private SelectFirst selectFirst;

  /** A command whose mailbox name is a literal the relay reads first: the line before it. */
  private String nameLine;

  private String nameTag;
  private java.io.ByteArrayOutputStream nameBytes;

  /** The mailbox selected upstream, as the client named it. */
  private final SelectedMailbox mailbox = new SelectedMailbox();

  /** Upstream frames held while a scan runs; the first is the EXISTS that started it. */
  private final ArrayDeque<ImapFrame> held = new ArrayDeque<>();

  private boolean holding;

  /** Held frames are being relayed: the scan that just ended covered every EXISTS among them. */
  private boolean replaying;

  /** The client's commands wait (framer paused, not reading). */
  private boolean clientHeld;

  /** Reasons the client's commands wait: scans, and the gateway's own NOOP. */
  private int clientPauses;

  /** Messages the client has been told about in the selected mailbox. */
  private long knownCount;

  /**
   * While held frames are replayed after a scan that removed messages: FETCH above it is dropped.
   */
  private long replayLimit = -1;

  /**
   * Per mailbox, the UIDs whose originals the scans moved away: the upstream may still serve them
   * to this connection until it reports the expunge, so their FETCH data is dropped.
   */
  private final java.util.Map<String, java.util.Set<Long>> removedUids = new java.util.HashMap<>();

  /** The rest of the current upstream response is dropped (hidden or unscanned). */
  private boolean dropResponse;

  /** A LIST, LSUB or STATUS response with a literal name, held until the name is known. */
  private ArrayDeque<ImapFrame> nameHeld;

  private StringBuilder literalName;

  /** Tag of the gateway's own NOOP after a scan, whose answer the client never sees. */
  private String internalTag;

  private int internalCount;

  ImapRelay(
      ListenerContext context,
      ClientSession session,
      Channel upstream,
      ImapFramer clientFramer,
      ArrivalScanner scanner) {
    this.context = context;
    this.session = session;
    this.upstream = upstream;
    this.clientFramer = clientFramer;
    this.scanner = scanner;
  }

  /** Wires the upstream side; called once, right after this handler joined the pipeline. */
  void start(ChannelHandlerContext ctx) {
    this.client = ctx;
    upstream
        .pipeline()
        .addLast(
            HandlerNames.FRAMER,
            new ImapFramer(ImapFramer.Settings.responses(context.limits().upstreamLineLength())))
        .addLast(HandlerNames.RELAY, new UpstreamSide());
    upstream.config().setAutoRead(true);
    upstream.read();
    if (scanner != null) {
      if (scanner.settled(INBOX).isEmpty()) {
        // Nearly every session selects INBOX first: its scan starts now, while the client is
        // still on its way to SELECT, if the account's last session left a side connection to do
        // it on. (Once a scan settled INBOX, its SELECT goes up at once instead: sendSelectFirst.)
        inboxAhead = scanner.scanAhead(INBOX);
      } else {
        // Releases are carried out by a session's first scan, which such a session may never
        // need; a failure here leaves them to the next scan.
        scanner
            .releaseAhead()
            .exceptionally(
                e -> {
                  LOG.debug("session {}: releases not carried out yet", session.id());
                  return false;
                });
      }
    }
  }

  // ---- client → upstream ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closed) {
      if (msg instanceof ImapFrame.LiteralChunk c) {
        c.content().release();
      }
      return;
    }
    switch ((ImapFrame) msg) {
      case ImapFrame.Segment s -> onSegment(s);
      case ImapFrame.LiteralChunk c -> {
        if (nameBytes != null) {
          nameBytes.writeBytes(io.netty.buffer.ByteBufUtil.getBytes(c.content()));
          c.content().release();
        } else if (dropping) {
          c.content().release();
        } else {
          upstream.write(c.content());
        }
      }
      case ImapFrame.Refused r -> {
        if (r.fatal()) {
          closeWith(ImapReply.BYE_LITERAL);
        } else {
          Optional<ImapCommandParser.Head> head = ImapCommandParser.head(r.soFar());
          local(
              head.isPresent()
                  ? ImapReply.LITERAL_TOO_BIG_NO.toBuf(client.alloc(), head.get().tag())
                  : ImapReply.UNTAGGED_SYNTAX_ERROR.toBuf(client.alloc()));
        }
      }
      case ImapFrame.TooLong t -> {
        if (t.fatal()) {
          closeWith(ImapReply.BYE_LITERAL);
        } else {
          local(ImapReply.LINE_TOO_LONG.toBuf(client.alloc()));
        }
      }
      case ImapFrame.Command c -> closeBoth(); // aggregating mode ended at login
      case ImapFrame.LiteralRequest r -> closeBoth();
    }
  }

  private void onSegment(ImapFrame.Segment s) {
    if (!s.start() && nameBytes != null) {
      finishNameLiteral(s);
      return;
    }
    if (!s.start()) {
      if (dropping) {
        dropping = s.literal() != null;
        maybeRejectLiteral(s);
        return;
      }
      forward(s);
      return;
    }
    if (continuationOpen) {
      // The answer to a continuation request (IDLE's DONE): one line, relayed as it is.
      continuationOpen = false;
      if (s.literal() != null) {
        closeWith(ImapReply.BYE_UPSTREAM_LOST);
        return;
      }
      forward(s);
      return;
    }
    Optional<ImapCommandParser.Head> head = ImapCommandParser.head(s.text());
    if (head.isEmpty()) {
      refuseLocally(s, ImapReply.UNTAGGED_SYNTAX_ERROR.toBuf(client.alloc()));
      return;
    }
    String tag = head.get().tag();
    String name = head.get().name();
    if (NOT_AFTER_LOGIN.contains(name)) {
      refuseLocally(s, ImapReply.WRONG_STATE.toBuf(client.alloc(), tag));
      return;
    }
    if (name.equals("COMPRESS")) {
      // RFC 4978 would change the framing under the relay; not advertised, so refused.
      refuseLocally(s, ImapReply.COMPRESS_UNAVAILABLE.toBuf(client.alloc(), tag));
      return;
    }
    if (name.equals("LOGOUT")) {
      logoutTag = tag;
    }
    if (scanner != null && !guardMailboxes(s, tag, name)) {
      return;
    }
    if (scanner != null && name.equals("FETCH")) {
      // Every FETCH response then names its UID, which is how removed messages are recognised.
      s = new ImapFrame.Segment(FetchRewrite.withUid(s.text()), true, s.literal());
    }
    commandTag = tag;
    forward(s);
  }

  /**
   * Refuses a command that names the quarantine mailbox, as if it did not exist, and one whose
   * mailbox comes as a literal the relay cannot look at first; notes SELECT and EXAMINE.
   */
  private boolean guardMailboxes(ImapFrame.Segment s, String tag, String name) {
    MailboxArgs.Names names = MailboxArgs.of(s.text(), s.literal() != null);
    if (names instanceof MailboxArgs.LiteralName) {
      readNameLiteral(s, tag);
      return false;
    }
    if (names instanceof MailboxArgs.Unreadable) {
      refuseLocally(s, ImapReply.MAILBOX_LITERAL.toBuf(client.alloc(), tag));
      return false;
    }
    List<String> boxes = ((MailboxArgs.Known) names).mailboxes();
    for (String box : boxes) {
      if (MailboxArgs.hidden(box, scanner.quarantineMailbox())) {
        refuseLocally(s, ImapReply.NONEXISTENT.toBuf(client.alloc(), tag));
        return false;
      }
    }
    switch (name) {
      case "SELECT", "EXAMINE" -> {
        if (!boxes.isEmpty()) {
          String box = boxes.get(0);
          Optional<ArrivalScanner.Settled> settled = scanner.settled(box);
          if (s.literal() == null && mailbox.quietOrOn(box) && settled.isPresent()) {
            sendSelectFirst(s, tag, box, settled.get());
          } else {
            scanThenForward(s, tag, box);
          }
          return false;
        }
      }
      case "CLOSE", "UNSELECT" -> mailbox.closing(tag);

      default -> {}
    }
    return true;
  }

  private void refuseLocally(ImapFrame.Segment s, ByteBuf reply) {
    local(reply);
    dropping = s.literal() != null;
    maybeRejectLiteral(s);
  }

  /** A dropped command's synchronizing literal is refused; the client then does not send it. */
  private void maybeRejectLiteral(ImapFrame.Segment s) {
    if (s.literal() != null && s.literal().synchronizing()) {
      dropping = false;
      clientFramer.rejectLiteral();
    }
  }

  private void forward(ImapFrame.Segment s) {
    if (s.literal() != null && s.literal().synchronizing()) {
      literalTag = commandTag;
    }
    upstream.write(ImapReply.line(upstream.alloc(), s.text()));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    upstream.flush();
    ctx.fireChannelReadComplete();
  }

  private void local(ByteBuf reply) {
    if (responseOpen) {
      localReplies.add(reply);
    } else {
      client.writeAndFlush(reply);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !closed && !holding) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // RFC 9051 §5.4 autologout, after at least 30 minutes without a client command.
      context.audit().session(session, "idle-timeout", "no-activity");
      closeWith(ImapReply.BYE_IDLE_TIMEOUT);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closeBoth();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("session {}: client error {}", session.id(), cause.getClass().getSimpleName());
    closeBoth();
  }

  // ---- upstream → client ----

  private void onResponse(ImapFrame frame) {
    if (closed) {
      release(frame);
      return;
    }
    if (discarded(frame)) {
      return;
    }
    if (!holding && selectFirst != null && selectFirst.state == SelectFirst.State.CHECKING) {
      // The first frame of the answer to a SELECT sent first: held, all of it, until it shows
      // whether anything arrived since the scan it was sent on.
      holding = true;
      pauseClient();
      peek = new Peek(selectFirst.box, selectFirst.settled, knownCount, selectFirst);
    }
    if (holding) {
      held.add(frame);
      if (peek != null) {
        peekAt(frame);
      }
      return;
    }
    if (scanner != null && filtered(frame)) {
      return;
    }
    relay(frame);
  }

  private static void release(ImapFrame frame) {
    if (frame instanceof ImapFrame.LiteralChunk c) {
      c.content().release();
    }
  }

  /**
   * Scan on arrival and mailbox hiding, before a frame is relayed; true when the frame was taken
   * (held, dropped or buffered).
   */
  private boolean filtered(ImapFrame frame) {
    if (dropResponse) {
      release(frame);
      if (frame instanceof ImapFrame.Segment s && s.literal() == null) {
        dropResponse = false;
      }
      return true;
    }
    if (nameHeld != null) {
      bufferName(frame);
      return true;
    }
    if (!(frame instanceof ImapFrame.Segment s) || !s.start()) {
      return false;
    }
    String text = s.text();
    if (internalTag != null && text.startsWith(internalTag + " ")) {
      internalTag = null;
      resumeClient();
      return true;
    }
    Matcher exists = EXISTS.matcher(text);
    if (exists.matches() && s.literal() == null) {
      if (!replaying) {
        List<String> mailboxes = mailbox.inPlay();
        if (!mailboxes.isEmpty()) {
          hold(s, mailboxes);
          return true;
        }
      }
      knownCount = Long.parseLong(exists.group(1));
      return false;
    }
    if (EXPUNGE.matcher(text).matches()) {
      knownCount = Math.max(0, knownCount - 1);
      return false;
    }
    Matcher fetch = FETCH.matcher(text);
    if (fetch.matches()) {
      if (replayLimit >= 0 && Long.parseLong(fetch.group(1)) > replayLimit) {
        // Read before the scan, about a message the scan may have removed: never shown.
        dropResponse = s.literal() != null;
        return true;
      }
      java.util.Set<Long> removed = new java.util.HashSet<>();
      mailbox.inPlay().forEach(m -> removed.addAll(removedUids.getOrDefault(m, Set.of())));
      if (!removed.isEmpty()) {
        long uid = FetchRewrite.uid(text);
        // Without a UID (it comes after a literal, or the upstream left it out) it cannot be told
        // apart from a removed message: dropped, and the client fetches again.
        if (uid < 0 || removed.contains(uid)) {
          dropResponse = s.literal() != null;
          return true;
        }
      }
    }
    if (isNameResponse(text)) {
      if (s.literal() != null) {
        nameHeld = new ArrayDeque<>();
        nameHeld.add(s);
        literalName = new StringBuilder();
        return true;
      }
      return MailboxArgs.responseMailbox(text.substring(2))
          .filter(m -> MailboxArgs.hidden(m, scanner.quarantineMailbox()))
          .isPresent();
    }
    String tag = text.substring(0, Math.max(0, text.indexOf(' ')));
    if (!tag.isEmpty() && !tag.equals("*") && !tag.equals("+")) {
      mailbox.answered(tag, text.regionMatches(true, tag.length() + 1, "OK", 0, 2));
      if (selectFirst != null && tag.equals(selectFirst.tag)) {
        // Its answer is complete: the commands behind it may follow, once this line is written.
        selectFirst = null;
        client.executor().execute(this::resumeClient);
      }
    }
    return false;
  }

  /**
   * A mailbox name comes as a literal: the relay takes it itself (answering a synchronizing one's
   * continuation request), checks it, and relays the command with the name as a quoted string.
   */
  private void readNameLiteral(ImapFrame.Segment s, String tag) {
    if (s.literal().size() > MAX_LITERAL_NAME) {
      refuseLocally(s, ImapReply.MAILBOX_LITERAL.toBuf(client.alloc(), tag));
      return;
    }
    String text = s.text();
    int brace = text.lastIndexOf('{');
    nameLine = text.substring(0, brace > 0 && text.charAt(brace - 1) == '~' ? brace - 1 : brace);
    nameTag = tag;
    nameBytes = new java.io.ByteArrayOutputStream();
    if (s.literal().synchronizing()) {
      client.writeAndFlush(ImapReply.CONTINUE_LITERAL.toBuf(client.alloc()));
      clientFramer.acceptLiteral();
    }
  }

  /** The literal name is complete: the command goes on as if the client had quoted it. */
  private void finishNameLiteral(ImapFrame.Segment rest) {
    String name = nameBytes.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    String line = nameLine;
    String tag = nameTag;
    nameBytes = null;
    nameLine = null;
    nameTag = null;
    boolean quotable = name.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    ImapFrame.Segment whole =
        new ImapFrame.Segment(
            line + (quotable ? quote(name) : "") + rest.text(), true, rest.literal());
    if (!quotable) {
      // 8-bit or control characters: not a name this relay forwards unchecked.
      refuseLocally(whole, ImapReply.MAILBOX_LITERAL.toBuf(client.alloc(), tag));
      return;
    }
    onSegment(whole);
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static boolean isNameResponse(String text) {
    return text.regionMatches(true, 0, "* LIST ", 0, 7)
        || text.regionMatches(true, 0, "* LSUB ", 0, 7)
        || text.regionMatches(true, 0, "* STATUS ", 0, 9);
  }

  /** Collects a literal mailbox name; then relays or drops the whole response. */
  private void bufferName(ImapFrame frame) {
    nameHeld.add(frame);
    if (frame instanceof ImapFrame.LiteralChunk c) {
      if (literalName.length() <= MAX_LITERAL_NAME) {
        literalName.append(
            c.content()
                .toString(
                    c.content().readerIndex(),
                    Math.min(c.content().readableBytes(), MAX_LITERAL_NAME + 1),
                    java.nio.charset.StandardCharsets.ISO_8859_1));
      }
      return;
    }
    ImapFrame.Segment s = (ImapFrame.Segment) frame;
    ArrayDeque<ImapFrame> frames = nameHeld;
    nameHeld = null;
    boolean hide =
        literalName.length() <= MAX_LITERAL_NAME
            && MailboxArgs.hidden(literalName.toString(), scanner.quarantineMailbox());
    literalName = null;
    if (hide) {
      frames.forEach(ImapRelay::release);
      dropResponse = s.literal() != null;
      return;
    }
    frames.forEach(this::relay);
  }

  /**
   * Sends the SELECT of a mailbox an earlier scan settled at once, without a scan before it: its
   * answer is held from its first line until its UIDVALIDITY and UIDNEXT show that nothing arrived
   * since (the common case: relayed as it is) or that something did (discarded, the mailbox
   * scanned, the SELECT sent again). Either way the client sees one answer, about scanned mail
   * only.
   */
  private void sendSelectFirst(
      ImapFrame.Segment select, String tag, String box, ArrivalScanner.Settled settled) {
    pauseClient();
    if (box.equals(INBOX)) {
      inboxAhead = null; // not needed: a later SELECT INBOX must not take its old result either
    }
    selectFirst = new SelectFirst(tag, box, select, settled);
    sendSelect(select, tag, box);
  }

  /**
   * The answer to a SELECT sent first showed mail newer than the settled state, or could not be
   * read for it: nothing of it reaches the client; the mailbox is scanned and the SELECT sent
   * again.
   */
  private void askAgainAfterScan(SelectFirst first, boolean answered) {
    first.state = SelectFirst.State.DISCARDING;
    first.firstAnswered = answered;
    held.forEach(ImapRelay::release);
    held.clear();
    holding = false;
    resumeClient(); // the hold's pause; the SELECT's own lasts until its answer is relayed
    afterScan(
        scanner.scan(first.box),
        result -> {
          if (selectFirst != first) {
            return;
          }
          removedUids
              .computeIfAbsent(first.box, k -> new java.util.HashSet<>())
              .addAll(result.removed());
          first.scanned = true;
          askAgainIfReady(first);
        });
    if (client.channel().isWritable()) {
      upstream.config().setAutoRead(true); // read on, dropping, to the first answer's end
    }
  }

  /** Sends the SELECT again once the first answer has ended and the scan is done. */
  private void askAgainIfReady(SelectFirst first) {
    if (!first.firstAnswered || !first.scanned || closed) {
      return;
    }
    first.state = SelectFirst.State.ASKED_AGAIN;
    sendSelect(first.command, first.tag, first.box);
  }

  /** Drops what the upstream says while a SELECT sent first is being asked again; true if taken. */
  private boolean discarded(ImapFrame frame) {
    SelectFirst first = selectFirst;
    if (first == null) {
      return false;
    }
    boolean line = frame instanceof ImapFrame.Segment s && s.start();
    String text = line ? ((ImapFrame.Segment) frame).text() : "";
    if (first.state == SelectFirst.State.DISCARDING) {
      release(frame);
      if (line && text.startsWith(first.tag + " ")) {
        first.firstAnswered = true;
        askAgainIfReady(first);
      }
      return true;
    }
    if (first.state == SelectFirst.State.ASKED_AGAIN
        && line
        && text.regionMatches(true, 0, "* OK [CLOSED]", 0, 13)) {
      // RFC 7162 §3.2.11: the implicit close of the first selection; the client had none.
      return true;
    }
    return false;
  }

  /**
   * Scans the mailbox before the SELECT goes upstream, so that the upstream's answer already
   * reflects every action: the client never sees a message that the scan then removes.
   */
  private void scanThenForward(ImapFrame.Segment select, String tag, String box) {
    pauseClient();
    afterScan(
        scanFor(box),
        result -> {
          sendSelect(select, tag, box);
          resumeClient();
        });
  }

  /** Sends a SELECT or EXAMINE of {@code box} upstream and notes that it is on its way. */
  private void sendSelect(ImapFrame.Segment select, String tag, String box) {
    mailbox.selecting(tag, box);
    knownCount = 0;
    commandTag = tag;
    forward(select);
    upstream.flush();
  }

  /**
   * Goes on with {@code then} on the client's event loop once {@code scan} is done, unless the
   * session ended meanwhile; a failed scan ends the session (fail closed).
   */
  private <T> void afterScan(CompletableFuture<T> scan, java.util.function.Consumer<T> then) {
    scan.whenComplete(
        (result, error) ->
            client
                .executor()
                .execute(
                    () -> {
                      if (closed) {
                        return;
                      }
                      if (error != null) {
                        scanFailed(error);
                        return;
                      }
                      then.accept(result);
                    }));
  }

  /** The scan a SELECT of {@code box} waits for: the one started at login for INBOX, once. */
  private CompletableFuture<ArrivalScanner.Result> scanFor(String box) {
    CompletableFuture<Optional<ArrivalScanner.Result>> ahead = inboxAhead;
    inboxAhead = null;
    if (ahead == null || !box.equals(INBOX)) {
      return scanner.scan(box);
    }
    // Not started (nothing kept) or failed (a kept connection found dead): scan as usual.
    return ahead
        .handle(
            (done, failure) ->
                failure == null && done.isPresent()
                    ? CompletableFuture.completedFuture(done.get())
                    : scanner.scan(box))
        .thenCompose(scan -> scan);
  }

  private void scanFailed(Throwable error) {
    // Fail closed: what was not scanned is never shown.
    LOG.warn("session {}: scan failed ({})", session.id(), error.getClass().getSimpleName());
    context.audit().session(session, "scan-failed", "scan-failed");
    held.forEach(ImapRelay::release);
    held.clear();
    holding = false;
    closeWith(ImapReply.BYE_SCAN_FAILED);
  }

  /** Stops both directions and scans the mailboxes; the EXISTS waits for the result. */
  private void hold(ImapFrame.Segment exists, List<String> mailboxes) {
    holding = true;
    held.add(exists);
    pauseClient();
    String box = mailbox.selectingOnly();
    if (box != null && mailboxes.equals(List.of(box))) {
      java.util.Optional<ArrivalScanner.Settled> settled = scanner.settled(box);
      if (settled.isPresent()) {
        // The EXISTS of a SELECT answer, right after the scan that let the SELECT go up: read on
        // (holding) until the answer's UIDVALIDITY and UIDNEXT say whether anything arrived in
        // between, instead of scanning again at every SELECT.
        peek = new Peek(box, settled.get(), knownCount, null);
        return;
      }
    }
    scanHeld(knownCount, mailboxes);
  }

  /** A SELECT answer held at its EXISTS while its UIDVALIDITY and UIDNEXT are awaited. */
  private static final class Peek {
    private static final int MAX_FRAMES = 32;
    final String box;
    final ArrivalScanner.Settled settled;
    final long knownBefore;
    long uidValidity;
    long uidNext;
    int frames;

    /** The SELECT sent first whose answer this is, or null (it followed a scan). */
    final SelectFirst first;

    Peek(String box, ArrivalScanner.Settled settled, long knownBefore, SelectFirst first) {
      this.box = box;
      this.settled = settled;
      this.knownBefore = knownBefore;
      this.first = first;
    }
  }

  private Peek peek;

  /** A frame of the held SELECT answer: goes on reading, or lets it through, or scans. */
  private void peekAt(ImapFrame frame) {
    Peek p = peek;
    boolean untaggedLine =
        frame instanceof ImapFrame.Segment s
            && s.start()
            && s.literal() == null
            && s.text().startsWith("* ");
    if (!untaggedLine || ++p.frames > Peek.MAX_FRAMES) {
      // The tagged answer (or something unusual) came first: scan as before.
      peek = null;
      if (p.first != null) {
        boolean tagged =
            frame instanceof ImapFrame.Segment s
                && s.start()
                && s.text().startsWith(p.first.tag + " ");
        if (tagged
            && !((ImapFrame.Segment) frame)
                .text()
                .regionMatches(true, p.first.tag.length() + 1, "OK", 0, 2)) {
          // Refused (no such mailbox, locked): nothing selected, nothing to show but the refusal.
          p.first.state = SelectFirst.State.PASSED;
          scanDone(p.knownBefore, java.util.Map.of(), null);
        } else {
          askAgainAfterScan(p.first, tagged);
        }
      } else {
        scanHeld(p.knownBefore, List.of(p.box));
      }
      return;
    }
    String text = ((ImapFrame.Segment) frame).text();
    p.uidValidity = Math.max(p.uidValidity, ResponseCodes.number(text, "UIDVALIDITY"));
    p.uidNext = Math.max(p.uidNext, ResponseCodes.number(text, "UIDNEXT"));
    if (p.uidValidity == 0 || p.uidNext == 0) {
      return;
    }
    peek = null;
    // Equal: no UID given out since. Lower under the same UIDVALIDITY cannot happen (RFC 9051
    // §2.3.1.1) unless the server reused it for a new mailbox: that one is scanned too.
    if (p.uidValidity == p.settled.uidValidity() && p.uidNext == p.settled.uidNext()) {
      if (p.first != null) {
        p.first.state = SelectFirst.State.PASSED;
      }
      scanDone(p.knownBefore, java.util.Map.of(), null); // nothing arrived since the scan
    } else if (p.first != null) {
      askAgainAfterScan(p.first, false);
    } else {
      scanHeld(p.knownBefore, List.of(p.box));
    }
  }

  /** Scans with both directions stopped; the held frames wait for the result. */
  private void scanHeld(long before, List<String> mailboxes) {
    upstream.config().setAutoRead(false);
    java.util.concurrent.CompletableFuture<java.util.Map<String, List<Long>>> all =
        java.util.concurrent.CompletableFuture.completedFuture(new java.util.HashMap<>());
    for (String m : mailboxes) {
      all =
          all.thenCompose(
              removed ->
                  scanner
                      .scan(m)
                      .thenApply(
                          r -> {
                            removed.put(m, r.removed());
                            return removed;
                          }));
    }
    all.whenComplete(
        (removed, error) -> client.executor().execute(() -> scanDone(before, removed, error)));
  }

  private void scanDone(
      long knownBefore, java.util.Map<String, List<Long>> removed, Throwable error) {
    if (closed) {
      held.forEach(ImapRelay::release);
      held.clear();
      return;
    }
    if (error != null) {
      scanFailed(error);
      return;
    }
    holding = false;
    boolean anyRemoved = false;
    for (java.util.Map.Entry<String, List<Long>> e : removed.entrySet()) {
      removedUids.computeIfAbsent(e.getKey(), k -> new java.util.HashSet<>()).addAll(e.getValue());
      anyRemoved |= !e.getValue().isEmpty();
    }
    replayLimit = anyRemoved ? knownBefore : -1;
    // The first held frame is the EXISTS that started the hold (or, for a SELECT sent first, the
    // first line of its answer); replayed, an EXISTS only updates the count.
    replaying = true;
    while (!held.isEmpty() && !closed) {
      ImapFrame f = held.poll();
      if (!filtered(f)) {
        relay(f);
      }
    }
    replaying = false;
    replayLimit = -1;
    flushToClient();
    if (upstreamEnded) {
      closeBoth(); // it ended after the client's LOGOUT, whose answer was among the held frames
      return;
    }
    if (anyRemoved && !continuationOpen && !closed) {
      // Ask the upstream now for the EXPUNGEs of what the scan moved away, before the client's
      // next command can refer to those messages (RFC 9051 §7.5.1).
      internalTag = "PCL" + (++internalCount);
      upstream.writeAndFlush(ImapReply.line(upstream.alloc(), internalTag + " NOOP"));
    } else {
      resumeClient();
    }
    if (client.channel().isWritable() && !closed) {
      upstream.config().setAutoRead(true);
    }
  }

  private void pauseClient() {
    clientPauses++;
    clientHeld = true;
    clientFramer.pause();
    client.channel().config().setAutoRead(false);
  }

  private void resumeClient() {
    if (clientPauses > 0) {
      clientPauses--;
    }
    if (!clientHeld || closed || clientPauses > 0) {
      return;
    }
    clientHeld = false;
    client.channel().config().setAutoRead(upstream.isWritable());
    clientFramer.resume();
  }

  private void relay(ImapFrame frame) {
    switch (frame) {
      case ImapFrame.Segment s -> {
        String text = s.start() ? responseStart(s) : s.text();
        if (text == null) {
          return;
        }
        responseOpen = s.literal() != null;
        client.write(ImapReply.line(client.alloc(), text));
        if (!responseOpen) {
          while (!localReplies.isEmpty()) {
            client.write(localReplies.poll());
          }
        }
      }
      case ImapFrame.LiteralChunk c -> client.write(c.content());
      default -> upstreamBroken("bad framing");
    }
  }

  /** Looks at the first line of a response; returns the text to relay, or null if handled. */
  private String responseStart(ImapFrame.Segment s) {
    String text = s.text();
    if (text.equals("+") || text.startsWith("+ ")) {
      if (literalTag != null && clientFramer.literalPending()) {
        literalTag = null;
        client.write(ImapReply.line(client.alloc(), text));
        clientFramer.acceptLiteral();
        return null;
      }
      continuationOpen = true;
      return text;
    }
    int sp = text.indexOf(' ');
    if (sp <= 0) {
      upstreamBroken("not a response");
      return null;
    }
    String tag = text.substring(0, sp);
    String rest = text.substring(sp + 1);
    String upper = rest.toUpperCase(Locale.ROOT);
    if (tag.equals("*")) {
      if (upper.startsWith("CAPABILITY ") && s.literal() == null) {
        return "* CAPABILITY " + ImapCapabilities.filter(rest.substring("CAPABILITY ".length()));
      }
      if (upper.startsWith("BYE")) {
        if (logoutTag == null) {
          // The upstream is going away on its own: say so in our words, then close both.
          context.audit().session(session, "upstream-bye", "upstream-bye");
          closeWith(ImapReply.BYE_UPSTREAM_LOST);
          return null;
        }
        return ImapReply.BYE_LOGOUT.text();
      }
      return ImapResponseCodes.rewrite(tag, rest);
    }
    if (ImapCommandParser.head(tag + " X").isEmpty()) {
      upstreamBroken("bad tag");
      return null;
    }
    if (tag.equals(literalTag)) {
      // The upstream answered the command instead of asking for its literal: none will follow.
      literalTag = null;
      if (clientFramer.literalPending()) {
        clientFramer.rejectLiteral();
      }
    }
    continuationOpen = false;
    if (tag.equals(logoutTag)) {
      client.write(ImapReply.line(client.alloc(), ImapResponseCodes.rewrite(tag, rest)));
      closeBoth();
      return null;
    }
    return ImapResponseCodes.rewrite(tag, rest);
  }

  private void flushToClient() {
    if (closed) {
      return;
    }
    client.flush();
    if (!client.channel().isWritable()) {
      upstream.config().setAutoRead(false);
    }
  }

  /** The upstream broke the protocol; nothing more it says can be trusted. */
  private void upstreamBroken(String why) {
    LOG.warn("session {}: upstream protocol error ({}), closing", session.id(), why);
    context.audit().session(session, "upstream-error", "upstream-protocol-error");
    closeWith(ImapReply.BYE_UPSTREAM_LOST);
  }

  private void closeWith(ImapReply bye) {
    if (closed) {
      return;
    }
    if (responseOpen) {
      // Mid-literal a BYE line would be read as message content; just close.
      closeBoth();
      return;
    }
    client.write(bye.toBuf(client.alloc()));
    closeBoth();
  }

  private void closeBoth() {
    if (closed) {
      return;
    }
    closed = true;
    localReplies.forEach(ByteBuf::release);
    localReplies.clear();
    held.forEach(ImapRelay::release);
    held.clear();
    if (nameHeld != null) {
      nameHeld.forEach(ImapRelay::release);
      nameHeld = null;
    }
    if (scanner != null) {
      scanner.close();
    }
    upstream.close();
    client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
  }

  /** The relay's handler on the upstream channel. */
  private final class UpstreamSide extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ImapFrame frame) {
        onResponse(frame);
      } else {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushToClient();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (logoutTag != null) {
        if (holding) {
          // A LOGOUT pipelined behind a command whose answer waits for a scan: what the upstream
          // said before it closed goes to the client once the scan is done, then the session ends.
          upstreamEnded = true;
          Peek p = peek;
          if (p != null) {
            peek = null; // the answer ended before it could tell: scan as usual
            scanHeld(p.knownBefore, List.of(p.box));
          }
          return;
        }
        // Closing after the client's LOGOUT is the expected end; its BYE was already relayed.
        closeBoth();
        return;
      }
      if (!closed) {
        LOG.info("session {}: upstream closed the connection", session.id());
        context.audit().session(session, "upstream-closed", "upstream-closed");
      }
      closeWith(ImapReply.BYE_UPSTREAM_LOST);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.info("session {}: upstream error {}", session.id(), cause.getClass().getSimpleName());
      closeWith(ImapReply.BYE_UPSTREAM_LOST);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      client.channel().config().setAutoRead(ctx.channel().isWritable() && !closed && !clientHeld);
    }
  }
}
