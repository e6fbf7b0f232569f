package io.portcullis.gateway.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.session.ClientSession;
import java.io.ByteArrayOutputStream;
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
 * One {@code UID FETCH 1:10 BODY.PEEK[]} through the real IMAP relay (package-private, hence this
 * package): the command is framed and sent upstream, ten FETCH responses with literals come back in
 * TLS-record-sized reads, are framed into lines and literal chunks and written to the client. No
 * sockets or TLS: the gateway's own per-byte cost of literal relay.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ImapFetchRelayBenchmark {
  private static final int MESSAGES = 10;

  /** Size of each of the ten messages. */
  @Param({"4096", "65536", "1048576"})
  public int messageSize;

  /** Bytes per upstream read: 16 KiB is one TLS record. */
  @Param({"16384"})
  public int readSize;

  private EmbeddedChannel client;
  private EmbeddedChannel upstream;
  private ByteBuf command;
  private final List<ByteBuf> answer = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    GatewayLimits limits = GatewayLimits.defaults();
    ImapFramer framer =
        new ImapFramer(
            ImapFramer.Settings.postAuth(
                limits.postAuthLineLength(), limits.postAuthLiteralSize()));
    client =
        new EmbeddedChannel(framer) {
          @Override
          protected SocketAddress remoteAddress0() {
            return new InetSocketAddress("127.0.0.1", 40_000);
          }
        };
    ListenerConfig listener = new ListenerConfig(Endpoint.parse("imaps://127.0.0.1:993"));
    ClientSession session = ClientSession.attach(client, listener);
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
    ImapRelay relay = new ImapRelay(context, session, upstream, framer, null);
    client.pipeline().addLast(relay);
    relay.start(client.pipeline().context(relay));
    framer.resume();

    command = Unpooled.copiedBuffer("b7 UID FETCH 1:10 BODY.PEEK[]\r\n", StandardCharsets.US_ASCII);
    byte[] wire = fetchAnswer(messageSize);
    for (int off = 0; off < wire.length; off += readSize) {
      int len = Math.min(readSize, wire.length - off);
      answer.add(Unpooled.directBuffer(len).writeBytes(wire, off, len));
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    command.release();
    answer.forEach(ByteBuf::release);
    client.finishAndReleaseAll();
    upstream.finishAndReleaseAll();
  }

  @Benchmark
  public long fetch() {
    client.writeInbound(command.retainedDuplicate());
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
    if (bytes < (long) MESSAGES * messageSize) {
      throw new IllegalStateException("relayed only " + bytes + " bytes");
    }
    return bytes;
  }

  /** Ten FETCH responses with a {@code size}-byte literal each, then the tagged OK. */
  static byte[] fetchAnswer(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(MESSAGES * (size + 100));
    byte[] line = ("x".repeat(74) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    for (int i = 1; i <= MESSAGES; i++) {
      out.writeBytes(
          ("* " + i + " FETCH (UID " + i + " BODY[] {" + size + "}\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (int written = 0; written < size; written += line.length) {
        out.write(line, 0, Math.min(line.length, size - written));
      }
      out.writeBytes(")\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    out.writeBytes("b7 OK Fetch completed.\r\n".getBytes(StandardCharsets.US_ASCII));
    return out.toByteArray();
  }
}
