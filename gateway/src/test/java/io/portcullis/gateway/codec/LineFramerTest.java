package io.portcullis.gateway.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
  private static final String INPUT = "USER alice\r\nPASS x y\r\n\r\nNOOP\nLAST\r\n";

  @Test
  void decodeShouldGiveTheSameLinesWhateverTheSplitPoints() {
    List<Object> whole = decode(8192, INPUT.getBytes(StandardCharsets.ISO_8859_1));
    assertThat(whole).containsExactly("USER alice", "PASS x y", "", "NOOP", "LAST");
    byte[] bytes = INPUT.getBytes(StandardCharsets.ISO_8859_1);
    for (int a = 0; a <= bytes.length; a++) {
      for (int b = a; b <= bytes.length; b++) {
        assertThat(
                decode(8192, slice(bytes, 0, a), slice(bytes, a, b), slice(bytes, b, bytes.length)))
            .as("split at %d and %d", a, b)
            .isEqualTo(whole);
      }
    }
  }

  @Test
  void overlongLineShouldBeReplacedByMarkerAndFollowingLinesKept() {
    String input = "X".repeat(100) + "\r\nNOOP\r\n";
    byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
    for (int split = 0; split <= bytes.length; split++) {
      assertThat(decode(16, slice(bytes, 0, split), slice(bytes, split, bytes.length)))
          .as("split at %d", split)
          .containsExactly(LineFramer.TOO_LONG, "NOOP");
    }
  }

  @Test
  void overlongLineWithoutTerminatorShouldNotBeBuffered() {
    EmbeddedChannel ch = new EmbeddedChannel(new LineFramer(16));
    for (int i = 0; i < 1000; i++) {
      ch.writeInbound(Unpooled.wrappedBuffer(new byte[1024]));
    }
    LineFramer framer = ch.pipeline().get(LineFramer.class);
    assertThat(framer.bufferedBytes()).isZero();
    ch.writeInbound(Unpooled.copiedBuffer("\r\nOK\r\n", StandardCharsets.US_ASCII));
    assertThat((Object) ch.readInbound()).isSameAs(LineFramer.TOO_LONG);
    assertThat((Object) ch.readInbound()).isEqualTo("OK");
    ch.finishAndReleaseAll();
  }

  @Test
  void bytesShouldSurviveUnchangedAsIsoLatin1Characters() {
    byte[] bytes = {'P', ' ', (byte) 0xc3, (byte) 0xa9, (byte) 0xff, '\r', '\n'};
    String line = (String) decode(100, bytes).get(0);
    assertThat(line.getBytes(StandardCharsets.ISO_8859_1)).containsExactly(slice(bytes, 0, 5));
  }

  @Test
  void bufferedBytesShouldCountWhatFollowsTheCurrentLine() {
    EmbeddedChannel ch = new EmbeddedChannel();
    LineFramer framer = new LineFramer(100);
    List<Integer> seen = new ArrayList<>();
    ch.pipeline()
        .addLast(framer)
        .addLast(
            new io.netty.channel.ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                seen.add(framer.bufferedBytes());
              }
            });
    ch.writeInbound(Unpooled.copiedBuffer("STLS\r\nCAPA\r\n", StandardCharsets.US_ASCII));
    assertThat(seen).containsExactly(6, 0);
    ch.finishAndReleaseAll();
  }

  private static List<Object> decode(int max, byte[]... chunks) {
    EmbeddedChannel ch = new EmbeddedChannel(new LineFramer(max));
    for (byte[] chunk : chunks) {
      ch.writeInbound(Unpooled.wrappedBuffer(chunk));
    }
    List<Object> out = new ArrayList<>();
    Object o;
    while ((o = ch.readInbound()) != null) {
      out.add(o);
    }
    ch.finishAndReleaseAll();
    return out;
  }

  private static byte[] slice(byte[] b, int from, int to) {
    return java.util.Arrays.copyOfRange(b, from, to);
  }
}
