package io.portcullis.gateway.imap.scan;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.gateway.imap.codec.ImapFrame;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.server.HandlerNames;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's own logged-in IMAP connection to the upstream (RFC 9051), beside the client's: a
 * blocking command/response API for one worker thread (never an event loop), over a Netty channel
 * whose frames the event loop queues with backpressure. Literal octets of a response go to a
 * caller's stream (message bodies) or, when small, into the response text. Not thread-safe: one
 * worker uses it.
 */
final class SideConnection implements AutoCloseable {
  /** Frames queued before the event loop stops reading the upstream. */
  private static final int HIGH_WATER = 64;

  /** Literals in responses that are not message bodies (mailbox names) are small. */
  private static final int MAX_INLINE_LITERAL = 64 * 1024;

  private static final Object CLOSED = new Object();

  /** One complete tagged response and the untagged responses before it. */
  record Response(List<String> untagged, String status) {
    boolean ok() {
      return status.regionMatches(true, 0, "OK", 0, 2);
    }

    /** The response code of the status, e.g. {@code APPENDUID 7 12}, or empty. */
    String code() {
      int open = status.indexOf('[');
      int close = status.indexOf(']', open + 1);
      return open >= 0 && close > open ? status.substring(open + 1, close) : "";
    }
  }

  private final Channel channel;
  private final List<String> capabilities;
  private final Duration timeout;
  private final LinkedBlockingQueue<Object> frames = new LinkedBlockingQueue<>();
  private int tagNumber;

  private SideConnection(Channel channel, List<String> capabilities, Duration timeout) {
    this.channel = channel;
    this.capabilities = List.copyOf(capabilities);
    this.timeout = timeout;
  }

  /**
   * Takes over a logged-in upstream channel (auto-read off, no handlers of the login flow left).
   * Must be called on the channel's event loop.
   */
  static SideConnection attach(
      Channel channel, List<String> capabilities, int maxLine, Duration timeout) {
    SideConnection side = new SideConnection(channel, capabilities, timeout);
    channel
        .pipeline()
        .addLast(HandlerNames.FRAMER, new ImapFramer(ImapFramer.Settings.responses(maxLine)))
        .addLast(HandlerNames.RELAY, side.new Sink());
    channel.config().setAutoRead(true);
    channel.read();
    return side;
  }

  /**
   * Whether the upstream still holds the connection (it may log out an idle one, RFC 9051 §5.4).
   */
  boolean isOpen() {
    return channel.isActive() && !frames.contains(CLOSED);
  }

  boolean hasCapability(String name) {
    return capabilities.stream().anyMatch(c -> c.equalsIgnoreCase(name));
  }

  /** Runs one command without literals; literals in its responses are inlined. */
  Response command(String text) throws IOException {
    String tag = send(text);
    return read(tag, null);
  }

  /** Where the literals of untagged responses go, chosen by the response's text before them. */
  interface Bodies {
    /** The stream for the literal that ends {@code lineSoFar}; null to inline it (small only). */
    OutputStream forLiteral(String lineSoFar) throws IOException;
  }

  /** Runs one command whose untagged responses' literals are written to {@code body}. */
  Response command(String text, OutputStream body) throws IOException {
    return command(text, (Bodies) line -> body);
  }

  /** Runs one command whose untagged responses' literals go where {@code bodies} says. */
  Response command(String text, Bodies bodies) throws IOException {
    String tag = send(text);
    return read(tag, bodies);
  }

  /**
   * APPENDs {@code size} octets from {@code content} (RFC 9051 §6.3.12), as a non-synchronizing
   * literal when the upstream has LITERAL+ (RFC 7888), else after its continuation request.
   */
  Response append(String prefix, long size, InputStream content) throws IOException {
    boolean nonSync = hasCapability("LITERAL+");
    String tag = nextTag();
    write(tag + " " + prefix + " {" + size + (nonSync ? "+" : "") + "}\r\n");
    if (!nonSync) {
      Object first = take();
      if (first instanceof ImapFrame.Segment s && s.start() && s.text().startsWith("+")) {
        // go on
      } else {
        // The upstream answered instead of asking for the literal.
        List<String> untagged = new ArrayList<>();
        Response r = consume(tag, first, untagged, null);
        return r != null ? r : read(tag, null, untagged);
      }
    }
    byte[] chunk = new byte[65536];
    long left = size;
    while (left > 0) {
      int n = content.read(chunk, 0, (int) Math.min(chunk.length, left));
      if (n < 0) {
        throw new IOException("content shorter than announced");
      }
      left -= n;
      awaitWrite(channel.writeAndFlush(Unpooled.copiedBuffer(chunk, 0, n)));
    }
    write("\r\n");
    return read(tag, null);
  }

  private String send(String text) throws IOException {
    String tag = nextTag();
    write(tag + " " + text + "\r\n");
    return tag;
  }

  private String nextTag() {
    return "S" + (++tagNumber);
  }

  private void write(String text) throws IOException {
    awaitWrite(channel.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1)));
  }

  private void awaitWrite(io.netty.channel.ChannelFuture f) throws IOException {
    try {
      if (!f.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IOException("upstream write timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (!f.isSuccess()) {
      throw new IOException("upstream write failed");
    }
  }

  private Response read(String tag, Bodies body) throws IOException {
    return read(tag, body, new ArrayList<>());
  }

  private Response read(String tag, Bodies body, List<String> untagged) throws IOException {
    while (true) {
      Response r = consume(tag, take(), untagged, body);
      if (r != null) {
        return r;
      }
    }
  }

  /** Handles one frame; returns the response when it was the tagged status. */
  private Response consume(String tag, Object frame, List<String> untagged, Bodies bodies)
      throws IOException {
    if (!(frame instanceof ImapFrame.Segment s)) {
      release(frame);
      throw new IOException("upstream protocol error");
    }
    if (!s.start()) {
      throw new IOException("upstream protocol error");
    }
    StringBuilder text = new StringBuilder(s.text());
    ImapFrame.Segment segment = s;
    while (segment.literal() != null) {
      long size = segment.literal().size();
      OutputStream body =
          bodies != null && text.toString().startsWith("* ")
              ? bodies.forLiteral(text.toString())
              : null;
      if (body != null) {
        copyLiteral(size, body);
        text.setLength(text.lastIndexOf("{"));
        text.append("\"\"");
      } else {
        if (size > MAX_INLINE_LITERAL) {
          throw new IOException("unexpected large literal");
        }
        java.io.ByteArrayOutputStream small = new java.io.ByteArrayOutputStream((int) size);
        copyLiteral(size, small);
        text.setLength(text.lastIndexOf("{"));
        text.append(quote(small.toString(StandardCharsets.ISO_8859_1)));
      }
      Object next = take();
      if (!(next instanceof ImapFrame.Segment more) || more.start()) {
        release(next);
        throw new IOException("upstream protocol error");
      }
      text.append(more.text());
      segment = more;
    }
    String line = text.toString();
    if (line.startsWith("* ")) {
      if (line.regionMatches(true, 2, "BYE", 0, 3)) {
        throw new IOException("upstream said BYE");
      }
      untagged.add(line.substring(2));
      return null;
    }
    if (line.startsWith(tag + " ")) {
      return new Response(List.copyOf(untagged), line.substring(tag.length() + 1));
    }
    throw new IOException("upstream protocol error");
  }

  private void copyLiteral(long size, OutputStream out) throws IOException {
    long left = size;
    while (left > 0) {
      Object f = take();
      if (!(f instanceof ImapFrame.LiteralChunk c)) {
        release(f);
        throw new IOException("upstream protocol error");
      }
      ByteBuf buf = c.content();
      try {
        int n = buf.readableBytes();
        buf.readBytes(out, n);
        left -= n;
      } finally {
        buf.release();
      }
    }
  }

  private Object take() throws IOException {
    Object f;
    try {
      f = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (f == null) {
      throw new IOException("upstream timed out");
    }
    if (f == CLOSED) {
      frames.add(CLOSED);
      throw new IOException("upstream closed");
    }
    if (frames.size() < HIGH_WATER / 2 && !channel.config().isAutoRead() && channel.isActive()) {
      channel.config().setAutoRead(true);
    }
    return f;
  }

  private static void release(Object frame) {
    if (frame instanceof ImapFrame.LiteralChunk c) {
      c.content().release();
    }
  }

  /** A string as an IMAP quoted string, for inlined literals; parsing is ours alone. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\');
      }
      b.append(c);
    }
    return b.append('"').toString();
  }

  /** True when the upstream named this capability (case-insensitive), for tests. */
  List<String> capabilities() {
    return capabilities;
  }

  @Override
  public void close() {
    if (channel.isActive()) {
      channel
          .writeAndFlush(Unpooled.copiedBuffer("Z LOGOUT\r\n", StandardCharsets.US_ASCII))
          .addListener(f -> channel.close());
    }
    Object f;
    while ((f = frames.poll()) != null) {
      release(f);
    }
  }

  /** Abandons the connection without LOGOUT (a crash, in tests). */
  void abort() {
    channel.close().awaitUninterruptibly();
  }

  /** Queues frames on the event loop; stops reading when the worker falls behind. */
  private final class Sink extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ImapFrame)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof ImapFrame.Refused || msg instanceof ImapFrame.TooLong) {
        ctx.close();
        return;
      }
      frames.add(msg);
      if (frames.size() >= HIGH_WATER) {
        ctx.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      frames.add(CLOSED);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  static String upper(String s) {
    return s.toUpperCase(Locale.ROOT);
  }
}
