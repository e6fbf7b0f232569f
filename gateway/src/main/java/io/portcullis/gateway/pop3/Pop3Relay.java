package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.portcullis.gateway.codec.LineFramer;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP3 TRANSACTION state (RFC 1939 §5) after login: each client command is parsed, checked and
 * sent upstream in canonical form, pipelining kept; answers come back through {@link
 * Pop3ResponseFramer} in order, interleaved with the ones the gateway gives itself (CAPA, errors,
 * and with filtering on, the {@link VirtualMaildrop}). Backpressure both ways through auto-read.
 * Confined to the event loop both channels share.
 */
final class Pop3Relay extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Pop3Relay.class);

  /** An answer the client is owed, in command order. */
  private sealed interface Pending {
    /** Comes from the upstream, into {@code sink}. */
    record Upstream(boolean multiLine, boolean quit, AnswerSink sink) implements Pending {}

    /** Given by the gateway, ready. */
    record Local(ByteBuf reply) implements Pending {}

    /** Given by the gateway from work off the event loop, begun once it is at the head. */
    record Async(Runnable start) implements Pending {}
  }

  /** How commands are served. */
  private enum Mode {
    /** Filtering off: every command goes upstream, answers come back unchanged. */
    RELAY,
    /** The virtual maildrop is being built; client commands wait. */
    BUILDING,
    /** The gateway answers from the virtual maildrop (DESIGN: POP3). */
    MAILDROP
  }

  /** How long an upstream may take to close after our side was shut. */
  private static final Duration UPSTREAM_DRAIN = Duration.ofSeconds(10);

  private final ListenerContext context;
  private final ClientSession session;
  private final Channel upstream;
  private final List<String> upstreamCapabilities;
  private final MessageFilter messageFilter;
  private final SessionFilter sessionFilter;
  private final Duration scanBudget;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private final AnswerSink toClient = new ToClient();
  private ChannelHandlerContext client;
  private Mode mode = Mode.RELAY;
  private VirtualMaildrop maildrop;
  private boolean asyncRunning;
  private boolean asyncStarted;
  private boolean quitSent;
  private boolean closed;

  Pop3Relay(
      ListenerContext context,
      ClientSession session,
      Channel upstream,
      List<String> upstreamCapabilities,
      MessageFilter messageFilter,
      SessionFilter sessionFilter,
      Duration scanBudget) {
    this.context = context;
    this.session = session;
    this.upstream = upstream;
    this.upstreamCapabilities = upstreamCapabilities;
    this.messageFilter = messageFilter;
    this.sessionFilter = sessionFilter;
    this.scanBudget = scanBudget;
  }

  /**
   * Wires the upstream side and takes over the commands that arrived during login; called once,
   * right after this handler joined the pipeline.
   */
  void start(ChannelHandlerContext ctx, Collection<Object> heldDuringLogin) {
    this.client = ctx;
    held.addAll(heldDuringLogin);
    upstream
        .pipeline()
        .addLast(
            new Pop3ResponseFramer(this, context.limits().upstreamLineLength()),
            new UpstreamWatcher());
    upstream.config().setAutoRead(true);
    upstream.read();
    if (sessionFilter.enabled()) {
      // Nothing the client asks is answered before every message it could see has a verdict.
      mode = Mode.BUILDING;
      client.channel().config().setAutoRead(false);
      if (messageFilter == null) {
        fail(Pop3Reply.FILTER_UNAVAILABLE, "filter-unavailable");
        return;
      }
      new MaildropBuilder(
              this,
              session,
              messageFilter,
              sessionFilter,
              MaildropBuilder.BLOCKING,
              messageFilter.clock(),
              scanBudget)
          .start();
      return;
    }
    drainHeld();
  }

  // ---- client side ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (quitSent || closed) {
      return;
    }
    if (mode == Mode.BUILDING || asyncRunning || !held.isEmpty()) {
      hold(msg);
      return;
    }
    process(msg);
  }

  private void process(Object msg) {
    if (msg == LineFramer.TOO_LONG) {
      local(Pop3Reply.LINE_TOO_LONG.toBuf(client.alloc()));
      return;
    }
    Pop3Command command = Pop3CommandParser.parse((String) msg);
    if (command instanceof Pop3Command.Quit q) {
      quitSent = true;
      forward(q);
      return;
    }
    if (mode == Mode.MAILDROP) {
      maildrop.handle(command);
      return;
    }
    switch (command) {
      case Pop3Command.Capa c -> local(capabilities());
      case Pop3Command.Quit q -> forward(q);
      case Pop3Command.Stat s -> forward(s);
      case Pop3Command.List l -> forward(l);
      case Pop3Command.Uidl u -> forward(u);
      case Pop3Command.Retr r -> forward(r);
      case Pop3Command.Top t -> forward(t);
      case Pop3Command.Dele d -> forward(d);
      case Pop3Command.Rset r -> forward(r);
      case Pop3Command.Noop n -> forward(n);
      case Pop3Command.User u -> local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Pass p -> local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Auth a -> local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Stls s -> local(Pop3Reply.WRONG_STATE);
      case Pop3Command.Invalid i -> local(invalid(i));
    }
  }

  private void hold(Object msg) {
    held.add(msg);
    if (held.size() >= context.limits().maxPipelinedCommands()) {
      client.channel().config().setAutoRead(false);
    }
  }

  /** Processes held commands until one needs to wait again. */
  private void drainHeld() {
    while (!held.isEmpty() && !closed && !quitSent && mode != Mode.BUILDING && !asyncRunning) {
      process(held.poll());
    }
    updateClientRead();
  }

  /** Reads from the client only while there is room for what it sends and it may be served. */
  private void updateClientRead() {
    int max = context.limits().maxPipelinedCommands();
    client
        .channel()
        .config()
        .setAutoRead(
            !closed
                && !quitSent
                && mode != Mode.BUILDING
                && held.size() < max
                && pending.size() < max
                && upstream.isWritable());
  }

  ByteBuf capabilities() {
    return Pop3Capabilities.afterLogin(client.alloc(), upstreamCapabilities);
  }

  static Pop3Reply invalid(Pop3Command.Invalid i) {
    return i.problem() == Pop3Command.Problem.UNKNOWN_COMMAND
        ? Pop3Reply.UNKNOWN_COMMAND
        : Pop3Reply.SYNTAX_ERROR;
  }

  /** Sends {@code command} upstream; its answer goes to the client unchanged. */
  void forward(Pop3Command command) {
    forward(command, toClient);
  }

  /** Sends {@code command} upstream; its answer goes to {@code sink}. */
  void forward(Pop3Command command, AnswerSink sink) {
    pending.add(
        new Pending.Upstream(command.multiLineAnswer(), command instanceof Pop3Command.Quit, sink));
    upstream.writeAndFlush(Unpooled.copiedBuffer(command.wireForm(), StandardCharsets.US_ASCII));
    if (pending.size() >= context.limits().maxPipelinedCommands()) {
      client.channel().config().setAutoRead(false);
    }
  }

  /** Answers the client from the gateway, after every answer owed before it. */
  void local(Pop3Reply reply) {
    local(reply.toBuf(client.alloc()));
  }

  /** Answers the client from the gateway, after every answer owed before it. */
  void local(ByteBuf reply) {
    if (closed) {
      reply.release();
    } else if (pending.isEmpty()) {
      client.writeAndFlush(reply);
    } else {
      pending.add(new Pending.Local(reply));
    }
  }

  /**
   * Answers the client from work done off the event loop: {@code start} runs on the event loop once
   * every answer owed before it is written, and must lead to {@link #asyncDone} on the event loop.
   * Later commands wait meanwhile, so nothing overtakes the answer.
   */
  void async(Runnable start) {
    asyncRunning = true;
    pending.add(new Pending.Async(start));
    writeReadyAnswers();
  }

  /** The asynchronous answer at the head is written; later commands go on. */
  void asyncDone() {
    if (closed) {
      return;
    }
    Pending head = pending.poll();
    if (!(head instanceof Pending.Async)) {
      throw new IllegalStateException("no asynchronous answer at the head");
    }
    asyncRunning = false;
    asyncStarted = false;
    writeReadyAnswers();
    client.flush();
    drainHeld();
  }

  /** The virtual maildrop is built: serve from it, starting with the commands that waited. */
  void maildropReady(VirtualMaildrop built) {
    if (closed) {
      return;
    }
    maildrop = built;
    mode = Mode.MAILDROP;
    drainHeld();
  }

  /** Whether the upstream announced RFC 2449 PIPELINING, so the gateway may pipeline too. */
  boolean upstreamPipelines() {
    for (String capability : upstreamCapabilities) {
      if (capability.equalsIgnoreCase("PIPELINING")) {
        return true;
      }
    }
    return false;
  }

  ChannelHandlerContext client() {
    return client;
  }

  Channel upstreamChannel() {
    return upstream;
  }

  boolean closed() {
    return closed;
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable() && !closed) {
      upstream.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      // RFC 1939 §3 autologout: close without QUIT, so the upstream does not enter UPDATE.
      context.audit().session(session, "idle-timeout", "no-activity");
      closeBoth();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // A client gone without QUIT: close upstream without QUIT too, so nothing is deleted.
    closeBoth();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("session {}: client error {}", session.id(), cause.getClass().getSimpleName());
    closeBoth();
  }

  // ---- upstream side, called by Pop3ResponseFramer ----

  /** Whether an upstream answer is owed; bytes from upstream when none is are a protocol error. */
  boolean awaitingUpstream() {
    return pending.peek() instanceof Pending.Upstream;
  }

  /** Whether the answer now being read is multi-line when positive. */
  boolean headMultiLine() {
    return pending.peek() instanceof Pending.Upstream u && u.multiLine();
  }

  /** Passes a slice of upstream bytes to the sink of the answer being read. */
  void toClient(ByteBuf bytes) {
    if (closed || !(pending.peek() instanceof Pending.Upstream head)) {
      bytes.release();
      return;
    }
    head.sink().bytes(bytes);
  }

  /** The upstream answer at the head of the queue is complete. */
  void answerComplete() {
    if (!(pending.poll() instanceof Pending.Upstream done)) {
      return;
    }
    done.sink().complete();
    if (closed) {
      return;
    }
    if (done.quit()) {
      closed = true;
      releasePending();
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      upstream.close();
      return;
    }
    writeReadyAnswers();
    if (pending.size() < context.limits().maxPipelinedCommands() / 2) {
      updateClientRead();
    }
  }

  /** Writes the gateway's own answers now at the head; starts an asynchronous one. */
  private void writeReadyAnswers() {
    while (!closed && !pending.isEmpty()) {
      switch (pending.peek()) {
        case Pending.Local l -> {
          pending.poll();
          client.write(l.reply());
        }
        case Pending.Async a -> {
          if (!asyncStarted) {
            asyncStarted = true;
            client.flush();
            a.start().run();
          }
          return;
        }
        case Pending.Upstream u -> {
          return;
        }
      }
    }
  }

  /** End of one upstream read: flush, and stop reading upstream while the client is slow. */
  void flushToClient() {
    if (closed) {
      return;
    }
    client.flush();
    if (!client.channel().isWritable()) {
      upstream.config().setAutoRead(false);
    }
  }

  /** The upstream broke the protocol; nothing more it says can be trusted. */
  void upstreamBroken(String why) {
    LOG.warn("session {}: upstream protocol error ({}), closing", session.id(), why);
    context.audit().session(session, "upstream-error", "upstream-protocol-error");
    closeBoth();
  }

  /** Ends the session after a failure the client is told about with {@code reply}. */
  void fail(Pop3Reply reply, String auditReason) {
    if (closed) {
      return;
    }
    context.audit().session(session, "session-failed", auditReason);
    client.writeAndFlush(reply.toBuf(client.alloc()));
    closeBoth();
  }

  /** Ends the session without a word: the client is inside an answer it cannot be told about. */
  void abort(String auditReason) {
    if (closed) {
      return;
    }
    context.audit().session(session, "session-failed", auditReason);
    closeBoth();
  }

  private void closeBoth() {
    if (closed) {
      return;
    }
    closed = true;
    boolean answersOwed = pending.stream().anyMatch(p -> p instanceof Pending.Upstream);
    releasePending();
    closeUpstream(answersOwed);
    client.flush();
    client.close();
  }

  /**
   * Ends the upstream connection without QUIT, so nothing is deleted (RFC 1939 §6). While answers
   * are still on their way, only our side is shut and what arrives is read and dropped until the
   * upstream closes: closing with unread data would reset the connection.
   */
  private void closeUpstream(boolean answersOwed) {
    if (!answersOwed || !(upstream instanceof DuplexChannel duplex) || !upstream.isActive()) {
      upstream.close();
      return;
    }
    duplex.shutdownOutput();
    upstream.config().setAutoRead(true);
    upstream
        .eventLoop()
        .schedule(() -> upstream.close(), UPSTREAM_DRAIN.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void releasePending() {
    for (Pending p : pending) {
      switch (p) {
        case Pending.Local l -> l.reply().release();
        case Pending.Upstream u -> u.sink().abort();
        case Pending.Async a -> {}
      }
    }
    pending.clear();
    held.clear();
  }

  /** The plain relay: upstream bytes go to the client unchanged. */
  private final class ToClient implements AnswerSink {
    @Override
    public void bytes(ByteBuf slice) {
      client.write(slice);
    }

    @Override
    public void complete() {}
  }

  /** Watches the upstream channel for closes and errors. */
  private final class UpstreamWatcher extends ChannelInboundHandlerAdapter {
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (!closed && !quitSent) {
        LOG.info("session {}: upstream closed the connection", session.id());
        context.audit().session(session, "upstream-closed", "upstream-closed");
      }
      closeBoth();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      LOG.info("session {}: upstream error {}", session.id(), cause.getClass().getSimpleName());
      closeBoth();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      updateClientRead();
    }
  }
}
