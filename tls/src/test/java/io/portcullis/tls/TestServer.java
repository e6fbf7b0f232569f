package io.portcullis.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/** A Netty echo server on loopback whose first handler comes from the code under test. */
final class TestServer implements AutoCloseable {
  final BlockingQueue<SslHandler> handshakes = new LinkedBlockingQueue<>();
  final BlockingQueue<Throwable> failures = new LinkedBlockingQueue<>();
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final EventLoopGroup group;
  private final Channel channel;

  private TestServer(Supplier<ChannelHandler> tls, int port) throws InterruptedException {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast("tls", tls.get());
                    ch.pipeline().addLast("echo", new Echo());
                  }
                })
            .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
            .sync()
            .channel();
  }

  static TestServer start(Supplier<ChannelHandler> tls) throws InterruptedException {
    return new TestServer(tls, 0);
  }

  static TestServer start(Supplier<ChannelHandler> tls, int port) throws InterruptedException {
    return new TestServer(tls, port);
  }

  int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  /** Application bytes received after TLS, from all connections. */
  byte[] received() {
    synchronized (received) {
      return received.toByteArray();
    }
  }

  /** Waits until at least {@code count} application bytes arrived; returns what arrived. */
  byte[] awaitReceived(int count, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(received, left);
      }
      return received.toByteArray();
    }
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent event) {
        if (event.isSuccess()) {
          // By name: the gateway finds the TLS handler under the name it added it with, SNI or not.
          handshakes.add((SslHandler) ctx.pipeline().get("tls"));
        } else {
          failures.add(event.cause());
        }
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf buf = (ByteBuf) msg;
      byte[] bytes = new byte[buf.readableBytes()];
      buf.getBytes(buf.readerIndex(), bytes);
      synchronized (received) {
        received.writeBytes(bytes);
        received.notifyAll();
      }
      ctx.writeAndFlush(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
