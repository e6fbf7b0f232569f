package io.portcullis.gateway.server;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.portcullis.gateway.session.ClientSession;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Caps connections open at once, in total and per source address; a connection over either cap is
 * closed before a byte is read. Thread-safe; one instance shared by every listener.
 */
@Sharable
public final class ConnectionLimiter extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final int maxTotal;
  private final int maxPerSource;
  private final AtomicInteger total = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();

  public ConnectionLimiter(int maxTotal, int maxPerSource) {
    this.maxTotal = maxTotal;
    this.maxPerSource = maxPerSource;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    // The session's source: the real client when a PROXY protocol header named it.
    InetAddress source = ClientSession.of(ctx.channel()).sourceAddress();
    int now = total.incrementAndGet();
    int fromSource = perSource.computeIfAbsent(source, a -> new AtomicInteger()).incrementAndGet();
    ctx.channel().closeFuture().addListener(f -> release(source));
    if (now > maxTotal || fromSource > maxPerSource) {
      LOG.warn(
          "connection from {} refused: {} open in total, {} from this source",
          source.getHostAddress(),
          now,
          fromSource);
      ctx.close();
      return;
    }
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  private void release(InetAddress source) {
    total.decrementAndGet();
    perSource.computeIfPresent(source, (a, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Connections open now, for metrics and tests. */
  public int open() {
    return total.get();
  }
}
