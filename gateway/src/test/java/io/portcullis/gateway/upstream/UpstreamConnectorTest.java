package io.portcullis.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class UpstreamConnectorTest {

  /**
   * The relays flush to the client at the end of each read loop: more than one read per loop lets a
   * fast upstream's first few hundred KB of an answer wait in the gateway for the rest of the loop
   * before the client sees its first byte.
   */
  @Test
  void upstreamConnectionsShouldReadOnceBeforeTheRelayFlushes() throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Endpoint url = Endpoint.parse("imap://127.0.0.1:" + server.getLocalPort());
      UpstreamConnector connector =
          new UpstreamConnector(
              new UpstreamConfig(url, null),
              Optional.empty(),
              NioSocketChannel.class,
              GatewayLimits.defaults());

      Channel channel = connector.connect(group.next()).sync().channel();
      try {
        MaxMessagesRecvByteBufAllocator reads = channel.config().getRecvByteBufAllocator();
        assertThat(reads.maxMessagesPerRead()).isEqualTo(1);
      } finally {
        channel.close().sync();
      }
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
