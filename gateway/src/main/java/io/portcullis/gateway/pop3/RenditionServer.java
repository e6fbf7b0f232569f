package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.portcullis.filter.io.Spool;
import io.portcullis.gateway.filtering.MessageFilter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers RETR and TOP (RFC 1939 §§5, 7) for a message the client receives as a rendition: the
 * rendition is read from the renditions store (which verifies its SHA-256) into a spool off the
 * event loop, its size checked against the one LIST announced, and only then sent, dot-stuffed, in
 * chunks that wait for the socket. Called on the event loop; works on {@code blocking}.
 */
final class RenditionServer {
  private static final Logger LOG = LoggerFactory.getLogger(RenditionServer.class);
  private static final int CHUNK = 64 * 1024;

  private final Pop3Relay relay;
  private final MessageFilter filter;
  private final Executor blocking;

  RenditionServer(Pop3Relay relay, MessageFilter filter, Executor blocking) {
    this.relay = relay;
    this.filter = filter;
    this.blocking = blocking;
  }

  /** RETR: the whole rendition. */
  void retr(String id, long size) {
    relay.async(() -> blocking.execute(() -> serve(id, size, -1)));
  }

  /** TOP: the rendition's header and the first {@code lines} lines of its body. */
  void top(String id, long size, int lines) {
    relay.async(() -> blocking.execute(() -> serve(id, size, lines)));
  }

  private void serve(String id, long size, int topLines) {
    ChannelHandlerContext client = relay.client();
    boolean started = false;
    try (Spool copy = filter.newSpool()) {
      try (InputStream in = filter.renditions().release(id)) {
        in.transferTo(copy);
      }
      copy.seal();
      if (DotStuffer.deliveredSize(copy) != size) {
        throw new IOException("rendition size differs from the size announced");
      }
      String status = topLines < 0 ? "+OK " + size + " octets\r\n" : "+OK\r\n";
      started = true;
      send(client, Unpooled.copiedBuffer(status, StandardCharsets.US_ASCII));
      DotStuffer stuffer = new DotStuffer();
      try (InputStream in = body(copy, topLines)) {
        byte[] chunk = new byte[CHUNK];
        int n;
        while ((n = in.readNBytes(chunk, 0, CHUNK)) > 0) {
          send(client, stuffer.stuff(client.alloc(), chunk, n));
        }
      }
      send(client, stuffer.end(client.alloc()));
    } catch (IOException | RuntimeException e) {
      LOG.warn("rendition {} could not be served ({})", id, e.getClass().getSimpleName());
      if (!started && client.channel().isActive()) {
        client.writeAndFlush(Pop3Reply.MESSAGE_UNAVAILABLE.toBuf(client.alloc()));
      } else {
        // Part of the answer is out: the client cannot tell where it ends, so the session ends.
        client.channel().eventLoop().execute(() -> relay.abort("rendition-unavailable"));
        return;
      }
    }
    client.channel().eventLoop().execute(relay::asyncDone);
  }

  private static InputStream body(Spool copy, int topLines) throws IOException {
    if (topLines < 0) {
      return copy.openStream();
    }
    long length;
    try (InputStream in = copy.openStream()) {
      length = TopStream.length(in, topLines);
    }
    return TopStream.limit(copy.openStream(), length);
  }

  /** Writes and waits for the write, so a slow client holds back the reading, not the heap. */
  private static void send(ChannelHandlerContext client, ByteBuf bytes) throws IOException {
    if (!client.writeAndFlush(bytes).awaitUninterruptibly().isSuccess()) {
      throw new IOException("client write failed");
    }
  }
}
