package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.portcullis.gateway.codec.LineFramer;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP3 TRANSACTION state (RFC 1939 §5) after login: each client command is parsed, checked and
 * sent upstream in canonical form, pipelining kept; answers come back through {@link
 * Pop3ResponseFramer} in order, interleaved with the few the gateway gives itself (CAPA, errors).
 * Backpressure both ways through auto-read. Confined to the event loop both channels share.
 */
final class Pop3Relay extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Pop3Relay.class);

  /** An answer the client is owed, in command order. */
  private record Pending(boolean fromUpstream, boolean multiLine, boolean quit, ByteBuf local) {
    static Pending upstream(Pop3Command command) {
      return new Pending(
          true, command.multiLineAnswer(), command instanceof Pop3Command.Quit, null);
    }

    static Pending local(ByteBuf reply) {
      return new Pending(false, false, false, reply);
    }
  }

  private final ListenerContext context;
  private final ClientSession session;
  private final Channel upstream;
  private final List<String> upstreamCapabilities;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private ChannelHandlerContext client;
  private boolean quitSent;
  private boolean closed;

  Pop3Relay(
      ListenerContext context,
      ClientSession session,
      Channel upstream,
      List<String> upstreamCapabilities) {
    this.context = context;
    this.session = session;
    this.upstream = upstream;
    this.upstreamCapabilities = upstreamCapabilities;
  }

  /** Wires the upstream side; called once, right after this handler joined the pipeline. */
  void start(ChannelHandlerContext ctx) {
    this.client = ctx;
    upstream
        .pipeline()
        .addLast(
            new Pop3ResponseFramer(this, context.limits().upstreamLineLength()),
            new UpstreamWatcher());
    upstream.config().setAutoRead(true);
    upstream.read();
  }

  // ---- client side ----

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (quitSent || closed) {
      return;
    }
    if (msg == LineFramer.TOO_LONG) {
      local(Pop3Reply.LINE_TOO_LONG.toBuf(ctx.alloc()));
      return;
    }
    Pop3Command command = Pop3CommandParser.parse((String) msg);
    switch (command) {
      case Pop3Command.Capa c ->
          local(Pop3Capabilities.afterLogin(ctx.alloc(), upstreamCapabilities));
      case Pop3Command.Quit q -> {
        quitSent = true;
        forward(q);
      }
      case Pop3Command.Stat s -> forward(s);
      case Pop3Command.List l -> forward(l);
      case Pop3Command.Uidl u -> forward(u);
      case Pop3Command.Retr r -> forward(r);
      case Pop3Command.Top t -> forward(t);
      case Pop3Command.Dele d -> forward(d);
      case Pop3Command.Rset r -> forward(r);
      case Pop3Command.Noop n -> forward(n);
      case Pop3Command.User u -> local(Pop3Reply.WRONG_STATE.toBuf(ctx.alloc()));
      case Pop3Command.Pass p -> local(Pop3Reply.WRONG_STATE.toBuf(ctx.alloc()));
      case Pop3Command.Auth a -> local(Pop3Reply.WRONG_STATE.toBuf(ctx.alloc()));
      case Pop3Command.Stls s -> local(Pop3Reply.WRONG_STATE.toBuf(ctx.alloc()));
      case Pop3Command.Invalid i ->
          local(
              (i.problem() == Pop3Command.Problem.UNKNOWN_COMMAND
                      ? Pop3Reply.UNKNOWN_COMMAND
                      : Pop3Reply.SYNTAX_ERROR)
                  .toBuf(ctx.alloc()));
    }
  }

  private void forward(Pop3Command command) {
    pending.add(Pending.upstream(command));
    upstream.writeAndFlush(Unpooled.copiedBuffer(command.wireForm(), StandardCharsets.US_ASCII));
    if (pending.size() >= context.limits().maxPipelinedCommands()) {
      client.channel().config().setAutoRead(false);
    }
  }

  private void local(ByteBuf reply) {
    if (pending.isEmpty()) {
      client.writeAndFlush(reply);
    } else {
      pending.add(Pending.local(reply));
    }
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
    Pending head = pending.peek();
    return head != null && head.fromUpstream();
  }

  /** Whether the answer now being read is multi-line when positive. */
  boolean headMultiLine() {
    Pending head = pending.peek();
    return head != null && head.multiLine();
  }

  /** Passes a slice of upstream bytes to the client unchanged (dot-stuffing included). */
  void toClient(ByteBuf bytes) {
    if (closed) {
      bytes.release();
      return;
    }
    client.write(bytes);
  }

  /** The upstream answer at the head of the queue is complete. */
  void answerComplete() {
    Pending done = pending.poll();
    while (!pending.isEmpty() && !pending.peek().fromUpstream()) {
      client.write(pending.poll().local());
    }
    if (done != null && done.quit()) {
      closed = true;
      client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      upstream.close();
      return;
    }
    if (pending.size() < context.limits().maxPipelinedCommands() / 2) {
      client.channel().config().setAutoRead(true);
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

  private void closeBoth() {
    if (closed) {
      return;
    }
    closed = true;
    pending.forEach(
        p -> {
          if (p.local() != null) {
            p.local().release();
          }
        });
    pending.clear();
    upstream.close();
    client.flush();
    client.close();
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
      client.channel().config().setAutoRead(ctx.channel().isWritable() && !closed);
    }
  }
}
