package io.portcullis.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A rough full-handshake rate (no resumption) of a ServerTls per provider, client in the same
 * process: {@code HandshakeRate PROVIDER SECONDS}. Not a test and not a benchmark of record (that
 * is JMH's job).
 */
public final class HandshakeRate {
  private HandshakeRate() {}

  public static void main(String[] args) throws Exception {
    TlsProvider provider = TlsProvider.valueOf(args[0]);
    Duration duration = Duration.ofSeconds(Long.parseLong(args[1]));
    TestPki.KeyType keyType =
        args.length > 2 ? TestPki.KeyType.valueOf(args[2]) : TestPki.KeyType.EC;
    Path dir = Files.createTempDirectory("portcullis-rate");
    TestPki pki = TestPki.newCa("Rate CA");
    CertificateSource source =
        TestPki.writePem(
            dir, "server", pki.issue(TestPki.Spec.server("localhost").withKeyType(keyType)));
    ServerTlsSettings settings =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            provider,
            Optional.of(source),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of());
    // Benchmark client only: it trusts anything and never resumes (no peer host, no session reuse).
    SslContext client =
        SslContextBuilder.forClient()
            .sslProvider(SslProvider.OPENSSL)
            .trustManager(InsecureTrustManagerFactory.INSTANCE)
            .endpointIdentificationAlgorithm(null)
            .build();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (ServerTls tls =
            ServerTls.start(settings, dir, Clock.systemUTC(), Map.of(), ServerTls.DEBOUNCE);
        TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT))) {
      for (Duration phase : List.of(Duration.ofSeconds(3), duration)) { // warm-up, then measure
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + phase.toNanos();
        int parallel = 4;
        CountDownLatch finished = new CountDownLatch(parallel);
        for (int i = 0; i < parallel; i++) {
          loop(group, client, server.port(), end, done, finished);
        }
        finished.await();
        server.handshakes.clear();
        System.out.printf(
            "%s %s: %d full handshakes in %d s = %.0f/s%n",
            tls.providerName(),
            keyType,
            done.get(),
            phase.toSeconds(),
            done.get() / (double) phase.toSeconds());
      }
    } finally {
      group.shutdownGracefully().sync();
    }
  }

  private static void loop(
      EventLoopGroup group,
      SslContext client,
      int port,
      long end,
      AtomicLong done,
      CountDownLatch finished) {
    if (System.nanoTime() > end) {
      finished.countDown();
      return;
    }
    SslHandler handler = client.newHandler(ByteBufAllocator.DEFAULT);
    new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(handler);
              }
            })
        .connect(InetAddress.getLoopbackAddress(), port)
        .addListener(
            f -> {
              Channel channel = ((io.netty.channel.ChannelFuture) f).channel();
              handler
                  .handshakeFuture()
                  .addListener(
                      h -> {
                        if (h.isSuccess()) {
                          done.incrementAndGet();
                        }
                        channel.close();
                        loop(group, client, port, end, done, finished);
                      });
            });
  }
}
