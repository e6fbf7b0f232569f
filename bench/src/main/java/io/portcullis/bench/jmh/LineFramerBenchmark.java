package io.portcullis.bench.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.gateway.codec.LineFramer;
import java.nio.charset.StandardCharsets;
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

/** Client command framing: a pipelined burst of POP3 commands through {@link LineFramer}. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LineFramerBenchmark {

  /** Commands per read (a client pipelining RETR 1..n sends many per segment). */
  @Param({"1", "100"})
  public int commands;

  private EmbeddedChannel channel;
  private ByteBuf burst;

  @Setup(Level.Trial)
  public void setUp() {
    channel = new EmbeddedChannel(new LineFramer(64 * 1024));
    StringBuilder s = new StringBuilder();
    for (int i = 1; i <= commands; i++) {
      s.append("RETR ").append(i).append("\r\n");
    }
    byte[] bytes = s.toString().getBytes(StandardCharsets.US_ASCII);
    burst = Unpooled.directBuffer(bytes.length).writeBytes(bytes);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    burst.release();
    channel.finishAndReleaseAll();
  }

  @Benchmark
  public int frame() {
    channel.writeInbound(burst.retainedDuplicate());
    int lines = 0;
    while (channel.readInbound() != null) {
      lines++;
    }
    return lines;
  }
}
