package io.portcullis.gateway.imap.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;

/**
 * Frames an IMAP byte stream into lines and literals (RFC 9051 §2.2, §4.3; RFC 7888; RFC 3516),
 * bounded everywhere: a line over the limit is skipped without being held, a literal over the limit
 * is refused before any of it is read, a synchronizing literal is read only after the receiver
 * accepted it. Literal octets are never interpreted (THREATS P1). Aggregating mode (before login)
 * emits whole commands; streaming mode (relay, both directions) emits segments and literal chunks
 * as retained slices. Emits one frame at a time, so a receiver can look at {@link #bufferedBytes()}
 * after STARTTLS. Not thread-safe; one per channel, used on its event loop.
 */
public final class ImapFramer extends ChannelInboundHandlerAdapter {

  /**
   * How to frame.
   *
   * @param maxLine longest line, CRLF excluded
   * @param maxLiteral largest literal accepted
   * @param aggregate emit whole commands (literals inline) instead of segments and chunks
   * @param waitForSync stop after a synchronizing literal until accepted or rejected (client side);
   *     false for upstream responses, whose literals always follow
   */
  public record Settings(int maxLine, long maxLiteral, boolean aggregate, boolean waitForSync) {
    public Settings {
      if (maxLine < 1 || maxLiteral < 0 || maxLiteral > ImapLiteral.MAX_SIZE) {
        throw new IllegalArgumentException("bad framer limits");
      }
    }

    /** Before login: whole commands, small literals (THREATS P2, P6). */
    public static Settings preAuth(int maxLine, int maxLiteral) {
      return new Settings(maxLine, maxLiteral, true, true);
    }

    /** Client commands after login: streamed. */
    public static Settings postAuth(int maxLine, long maxLiteral) {
      return new Settings(maxLine, maxLiteral, false, true);
    }

    /** Upstream responses: streamed, any literal size the protocol allows. */
    public static Settings responses(int maxLine) {
      return new Settings(maxLine, ImapLiteral.MAX_SIZE, false, false);
    }
  }

  private enum State {
    /** Reading a line. */
    LINE,
    /** Reading {@link #literalRemaining} literal octets. */
    LITERAL,
    /** A synchronizing literal waits for accept or reject. */
    PENDING,
    /** Skipping the rest of a line that was too long. */
    DISCARD,
    /** Stopped: everything is dropped until the channel closes. */
    FAILED
  }

  /** Enough of a discarded line's end to see whether it announced a literal. */
  private static final int TAIL = 24;

  private Settings settings;
  private ByteBuf cumulation;
  private ChannelHandlerContext ctx;
  private State state = State.LINE;
  private long literalRemaining;
  private ImapLiteral pendingLiteral;
  private boolean commandStart = true;
  private boolean paused;
  private boolean processing;
  private boolean inRead;
  private boolean emitted;
  private final StringBuilder aggregate = new StringBuilder();
  private final StringBuilder tail = new StringBuilder(TAIL + 8);

  public ImapFramer(Settings settings) {
    this.settings = settings;
  }

  /** Changes how the next frames are made, e.g. when a session authenticates. */
  public void reconfigure(Settings next) {
    if (next.aggregate() != settings.aggregate() && (state != State.LINE || !commandStart)) {
      throw new IllegalStateException("mode change in the middle of a command");
    }
    this.settings = next;
  }

  /** Octets received and not yet framed (THREATS S1: must be zero right after STARTTLS). */
  public int bufferedBytes() {
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  /** Stops emitting frames (input keeps accumulating, bounded) until {@link #resume()}. */
  public void pause() {
    paused = true;
  }

  /** Emits what accumulated while paused. */
  public void resume() {
    paused = false;
    process();
  }

  /** Whether a synchronizing literal waits for {@link #acceptLiteral} or {@link #rejectLiteral}. */
  public boolean literalPending() {
    return state == State.PENDING;
  }

  /** The receiver sent {@code +}: read the pending literal. */
  public void acceptLiteral() {
    if (state != State.PENDING) {
      throw new IllegalStateException("no literal pending");
    }
    startLiteral(pendingLiteral.size());
    process();
  }

  /** The receiver answered the command instead: the sender will not send the literal. */
  public void rejectLiteral() {
    if (state != State.PENDING) {
      throw new IllegalStateException("no literal pending");
    }
    state = State.LINE;
    commandStart = true;
    aggregate.setLength(0);
    process();
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (state == State.FAILED) {
      in.release();
      return;
    }
    cumulation =
        cumulation == null
            ? in
            : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), cumulation, in);
    if ((paused || state == State.PENDING) && cumulation.readableBytes() > backlogLimit()) {
      // The sender does not wait as the protocol says; stop rather than buffer without bound.
      fail();
      emit(new ImapFrame.TooLong(commandStart, true));
      return;
    }
    inRead = true;
    try {
      process();
    } finally {
      inRead = false;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (cumulation != null && cumulation.refCnt() == 1) {
      cumulation.discardSomeReadBytes();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    releaseCumulation();
    state = State.FAILED;
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    releaseCumulation();
  }

  private int backlogLimit() {
    return settings.maxLine() + 4096;
  }

  private void process() {
    if (processing || ctx == null) {
      return;
    }
    processing = true;
    emitted = false;
    try {
      while (!paused && cumulation != null && cumulation.isReadable() && step()) {
        // each step emits at most one frame
      }
      if (cumulation != null && !cumulation.isReadable()) {
        releaseCumulation();
      }
    } finally {
      processing = false;
    }
    if (emitted && !inRead) {
      // Frames released by resume() or a literal decision outside a read: let the receiver
      // flush what they made it write, as it does at the end of a read.
      ctx.fireChannelReadComplete();
    }
  }

  /** One unit of work; false when more input (or a decision) is needed. */
  private boolean step() {
    return switch (state) {
      case LINE -> readLine();
      case LITERAL -> readLiteral();
      case DISCARD -> discard();
      case PENDING -> false;
      case FAILED -> {
        cumulation.skipBytes(cumulation.readableBytes());
        yield false;
      }
    };
  }

  private boolean readLine() {
    ByteBuf in = cumulation;
    int start = in.readerIndex();
    int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      if (in.readableBytes() > settings.maxLine() + 1) {
        // +1 leaves room for a CR whose LF has not arrived yet.
        tail.setLength(0);
        keepTail(in, start, in.writerIndex());
        in.skipBytes(in.readableBytes());
        state = State.DISCARD;
      }
      return false;
    }
    int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    int length = end - start;
    if (length > settings.maxLine()) {
      tail.setLength(0);
      keepTail(in, start, end);
      in.readerIndex(lf + 1);
      tooLong();
      return true;
    }
    String text = in.toString(start, length, StandardCharsets.ISO_8859_1);
    in.readerIndex(lf + 1);
    if (settings.aggregate()) {
      aggregateLine(text);
    } else {
      streamLine(text);
    }
    return true;
  }

  private void aggregateLine(String text) {
    aggregate.append(text);
    switch (ImapLiteral.at(text)) {
      case ImapLiteral.None n -> {
        String command = aggregate.toString();
        aggregate.setLength(0);
        emit(new ImapFrame.Command(command));
      }
      case ImapLiteral.Absurd a -> refuse(aggregate.toString(), a.synchronizing());
      case ImapLiteral.Announced a -> {
        ImapLiteral literal = a.literal();
        long total = (long) aggregate.length() + literal.size();
        if (literal.size() > settings.maxLiteral()
            || total > (long) settings.maxLine() + settings.maxLiteral()) {
          refuse(aggregate.toString(), literal.synchronizing());
          return;
        }
        aggregate.append("\r\n");
        if (literal.synchronizing()) {
          pendingLiteral = literal;
          state = State.PENDING;
          emit(new ImapFrame.LiteralRequest(aggregate.toString(), literal));
        } else {
          startLiteral(literal.size());
        }
      }
    }
  }

  private void refuse(String soFar, boolean synchronizing) {
    boolean start = commandStart;
    aggregate.setLength(0);
    // A refused synchronizing literal is never sent; a non-synchronizing one is on its way and
    // must not be read as commands, and a half-relayed command cannot be taken back.
    boolean fatal = !synchronizing || (!settings.aggregate() && !start);
    commandStart = true;
    if (fatal) {
      fail();
    } else {
      state = State.LINE;
    }
    emit(new ImapFrame.Refused(soFar, start, fatal));
  }

  private void streamLine(String text) {
    boolean start = commandStart;
    switch (ImapLiteral.at(text)) {
      case ImapLiteral.None n -> {
        commandStart = true;
        emit(new ImapFrame.Segment(text, start, null));
      }
      case ImapLiteral.Absurd a -> refuse(text, a.synchronizing());
      case ImapLiteral.Announced a -> {
        ImapLiteral literal = a.literal();
        if (literal.size() > settings.maxLiteral()) {
          refuse(text, literal.synchronizing());
          return;
        }
        commandStart = false;
        if (literal.synchronizing() && settings.waitForSync()) {
          pendingLiteral = literal;
          state = State.PENDING;
        } else {
          startLiteral(literal.size());
        }
        emit(new ImapFrame.Segment(text, start, literal));
      }
    }
  }

  private void startLiteral(long size) {
    literalRemaining = size;
    state = size == 0 ? State.LINE : State.LITERAL;
  }

  private boolean readLiteral() {
    int n = (int) Math.min(cumulation.readableBytes(), literalRemaining);
    literalRemaining -= n;
    if (literalRemaining == 0) {
      state = State.LINE;
    }
    if (settings.aggregate()) {
      aggregate.append(
          cumulation.toString(cumulation.readerIndex(), n, StandardCharsets.ISO_8859_1));
      cumulation.skipBytes(n);
    } else {
      emit(new ImapFrame.LiteralChunk(cumulation.readRetainedSlice(n)));
    }
    return true;
  }

  private boolean discard() {
    ByteBuf in = cumulation;
    int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
    if (lf < 0) {
      keepTail(in, in.readerIndex(), in.writerIndex());
      in.skipBytes(in.readableBytes());
      return false;
    }
    int end = lf > in.readerIndex() && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
    keepTail(in, in.readerIndex(), end);
    in.readerIndex(lf + 1);
    state = State.LINE;
    tooLong();
    return true;
  }

  private void tooLong() {
    boolean start = commandStart && aggregate.isEmpty();
    aggregate.setLength(0);
    commandStart = true;
    boolean announcesLiteral =
        switch (ImapLiteral.at(tail)) {
          case ImapLiteral.None n -> false;
          case ImapLiteral.Absurd a -> !a.synchronizing() || !start;
          case ImapLiteral.Announced a -> !a.literal().synchronizing() || !start;
        };
    boolean fatal = announcesLiteral || (!settings.aggregate() && !start);
    if (fatal) {
      fail();
    }
    emit(new ImapFrame.TooLong(start, fatal));
  }

  private void keepTail(ByteBuf in, int from, int to) {
    int keepFrom = Math.max(from, to - TAIL);
    tail.append(in.toString(keepFrom, to - keepFrom, StandardCharsets.ISO_8859_1));
    if (tail.length() > TAIL) {
      tail.delete(0, tail.length() - TAIL);
    }
    if (tail.length() > 0 && tail.charAt(tail.length() - 1) == '\r') {
      tail.setLength(tail.length() - 1);
    }
  }

  private void fail() {
    state = State.FAILED;
    aggregate.setLength(0);
    if (cumulation != null) {
      cumulation.skipBytes(cumulation.readableBytes());
    }
  }

  private void emit(ImapFrame frame) {
    emitted = true;
    ctx.fireChannelRead(frame);
  }

  private void releaseCumulation() {
    if (cumulation != null) {
      cumulation.release();
      cumulation = null;
    }
  }
}
