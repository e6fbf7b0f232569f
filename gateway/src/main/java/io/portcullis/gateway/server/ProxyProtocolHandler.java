package io.portcullis.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.policy.Cidr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the PROXY protocol header (v1 or v2, decoded by Netty's {@code HAProxyMessageDecoder} in
 * front of it) that a trusted load balancer prepends, and makes the client it names the session's
 * source before anything else sees the connection: the connection limiter, throttling, policy
 * networks and the audit log all use the real client. Holds back {@code channelActive} until then;
 * a peer that is not trusted, or no header in time, closes the connection. One per connection.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ProxyProtocolHandler.class);

  private final List<Cidr> trusted;
  private final Duration timeout;
  private final AuditLog audit;
  private ScheduledFuture<?> deadline;

  ProxyProtocolHandler(List<Cidr> trusted, Duration timeout, AuditLog audit) {
    this.trusted = trusted;
    this.timeout = timeout;
    this.audit = audit;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    InetAddress peer = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    byte[] raw = peer.getAddress();
    if (trusted.stream().noneMatch(c -> c.contains(raw))) {
      LOG.warn("connection from {} refused: not a trusted PROXY protocol peer", peer);
      audit.session(ClientSession.of(ctx.channel()), "proxy-untrusted", peer.getHostAddress());
      ctx.close();
      return;
    }
    deadline =
        ctx.executor()
            .schedule(
                () -> {
                  audit.session(ClientSession.of(ctx.channel()), "proxy-timeout", null);
                  ctx.close();
                },
                timeout.toMillis(),
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof HAProxyMessage header)) {
      // The decoder holds bytes back until the header is complete; nothing else can come first.
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    try {
      if (header.command() == HAProxyCommand.PROXY
          && (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
              || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6)) {
        ClientSession.of(ctx.channel())
            .sourceFromProxy(
                new InetSocketAddress(literal(header.sourceAddress()), header.sourcePort()));
      }
      // LOCAL (the balancer's own health check) and UNKNOWN keep the balancer as the source.
    } catch (UnknownHostException e) {
      ctx.close();
      return;
    } finally {
      header.release();
    }
    deadline.cancel(false);
    ctx.pipeline().remove(this);
    ctx.fireChannelActive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A malformed header (HAProxyProtocolException) or anything before the session exists.
    LOG.debug("PROXY protocol header refused: {}", cause.toString());
    audit.session(ClientSession.of(ctx.channel()), "proxy-header-invalid", null);
    ctx.close();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (deadline != null) {
      deadline.cancel(false);
    }
  }

  /** An address literal from the decoded header, without any name lookup. */
  private static InetAddress literal(String address) throws UnknownHostException {
    try {
      return InetAddress.getByAddress(Cidr.parse(address).network());
    } catch (IllegalArgumentException e) {
      throw new UnknownHostException("not an address literal");
    }
  }
}
