package io.portcullis.gateway.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.imap.scan.ArrivalScanner;
import io.portcullis.gateway.server.HandlerNames;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * An {@link ImapRelay} between two in-memory channels, as the relay tests drive it: text in on
 * either side, the exact bytes each side received out. Not thread-safe.
 */
final class RelayChannels implements AutoCloseable {
  final EmbeddedChannel client;
  final EmbeddedChannel upstream;

  private RelayChannels(EmbeddedChannel client, EmbeddedChannel upstream) {
    this.client = client;
    this.upstream = upstream;
  }

  /**
   * Wires a relay after a login on an implicit-TLS listener; {@code scannerFor} gets the client
   * channel and returns the session's scanner, or null for a session that is not filtered.
   */
  static RelayChannels start(
      ImapFramer.Settings settings, Function<Channel, ArrivalScanner> scannerFor) {
    ListenerConfig listener = new ListenerConfig(Endpoint.parse("imaps://127.0.0.1:1993"));
    ListenerContext context =
        new ListenerContext(
            listener,
            Optional.empty(),
            null,
            java.util.Map.of(),
            new AuditLog(Clock.systemUTC()),
            GatewayLimits.defaults(),
            new SaslLimits(8192, 16384));
    EmbeddedChannel upstream = new EmbeddedChannel();
    EmbeddedChannel client =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("192.0.2.7", 40000);
          }
        };
    ClientSession session = ClientSession.attach(client, listener);
    ImapFramer framer = new ImapFramer(settings);
    ImapRelay relay = new ImapRelay(context, session, upstream, framer, scannerFor.apply(client));
    client.pipeline().addLast(HandlerNames.FRAMER, framer).addLast(HandlerNames.RELAY, relay);
    relay.start(client.pipeline().context(relay));
    return new RelayChannels(client, upstream);
  }

  void fromClient(String text) {
    client.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  void fromUpstream(String text) {
    upstream.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
  }

  /** Everything {@code ch} wrote since the last call, as text. */
  static String drain(EmbeddedChannel ch) {
    StringBuilder b = new StringBuilder();
    ByteBuf buf;
    while ((buf = ch.readOutbound()) != null) {
      b.append(buf.toString(StandardCharsets.ISO_8859_1));
      buf.release();
    }
    return b.toString();
  }

  @Override
  public void close() {
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }
}
