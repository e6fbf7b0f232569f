package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One RETR through the real POP3 relay and response framer (package-private, hence this package):
 * the command goes upstream, the dot-stuffed answer comes back in TLS-record-sized reads and is
 * passed to the client as slices. No sockets or TLS, so this is the gateway's own per-byte cost.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class Pop3RelayBenchmark {

  /** Message size in bytes. */
  @Param({"4096", "65536", "1048576"})
  public int messageSize;

  /** Bytes per upstream read: 16 KiB is one TLS record, what a socket read usually yields. */
  @Param({"16384"})
  public int readSize;

  private EmbeddedChannel client;
  private EmbeddedChannel upstream;
  private final List<ByteBuf> answer = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    client =
        new EmbeddedChannel() {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 40_000);
          }
        };
    ListenerConfig listener = new ListenerConfig(Endpoint.parse("pop3s://127.0.0.1:995"));
    ClientSession session = ClientSession.attach(client, listener);
    GatewayLimits limits = GatewayLimits.defaults();
    // The relay touches only limits and audit; the login-time collaborators stay unset.
    ListenerContext context =
        new ListenerContext(
            listener,
            Optional.empty(),
            null,
            java.util.Map.of(),
            new AuditLog(Clock.systemUTC()),
            limits,
            null);
    upstream = new EmbeddedChannel();
    Pop3Relay relay =
        new Pop3Relay(
            context,
            session,
            upstream,
            List.of("UIDL", "TOP"),
            null,
            io.portcullis.gateway.filtering.SessionFilter.OFF,
            java.time.Duration.ZERO);
    client.pipeline().addLast(relay);
    relay.start(client.pipeline().context(relay), List.of());

    byte[] wire = retrAnswer(messageSize).getBytes(StandardCharsets.US_ASCII);
    for (int off = 0; off < wire.length; off += readSize) {
      int len = Math.min(readSize, wire.length - off);
      answer.add(Unpooled.directBuffer(len).writeBytes(wire, off, len));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    answer.forEach(ByteBuf::release);
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  @Benchmark
  public long retr() {
    client.writeInbound("RETR 1");
    for (Object sent; (sent = upstream.readOutbound()) != null; ) {
      ((ByteBuf) sent).release();
    }
    for (ByteBuf chunk : answer) {
      upstream.writeInbound(chunk.retainedDuplicate());
    }
    long bytes = 0;
    for (Object out; (out = client.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) out;
      bytes += buf.readableBytes();
      buf.release();
    }
    if (bytes == 0) {
      throw new IllegalStateException("nothing relayed");
    }
    return bytes;
  }

  /** "+OK" and a dot-stuffed body of about {@code size} bytes in 76-character lines. */
  static String retrAnswer(int size) {
    StringBuilder out =
        new StringBuilder(size + 64).append("+OK ").append(size).append(" octets\r\n");
    out.append("From: a@example.net\r\nTo: b@example.org\r\nSubject: bench\r\n\r\n");
    int line = 0;
    while (out.length() < size) {
      out.append(line++ % 50 == 0 ? ".." : "").append("x".repeat(74)).append("\r\n");
    }
    return out.append(".\r\n").toString();
  }
}
