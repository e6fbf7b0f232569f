package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Dot-stuffing both ways (RFC 1939 §3) and the TOP cut (§7), fed split at every byte boundary. */
class DotStuffingTest {
  private static final String MESSAGE =
      "Subject: dots\r\n\r\n.leading dot\r\n..two dots\r\n.\r\nafter a lone dot\r\n.\rx\r\nend\r\n";

  @Test
  void unstufferShouldRecoverTheMessageWhateverTheSplit() {
    byte[] wire = ascii("+OK 99 octets\r\n" + stuffed(MESSAGE) + ".\r\n");
    for (int split = 0; split <= wire.length; split++) {
      DotUnstuffer unstuffer = new DotUnstuffer();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(unstuffer.feed(Unpooled.wrappedBuffer(wire, 0, split)));
      out.writeBytes(unstuffer.feed(Unpooled.wrappedBuffer(wire, split, wire.length - split)));
      assertThat(out.toString(StandardCharsets.US_ASCII))
          .as("split at %d", split)
          .isEqualTo(MESSAGE);
      assertThat(unstuffer.ended()).isTrue();
    }
  }

  @Test
  void unstufferShouldAcceptBareLineFeeds() {
    DotUnstuffer unstuffer = new DotUnstuffer();
    byte[] out = unstuffer.feed(Unpooled.wrappedBuffer(ascii("+OK\na\n..b\n.\n")));
    assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("a\n.b\n");
    assertThat(unstuffer.ended()).isTrue();
  }

  @Test
  void unstufferShouldNotReportAnAnswerCutBeforeItsTerminatorAsWhole() {
    DotUnstuffer unstuffer = new DotUnstuffer();
    unstuffer.feed(Unpooled.wrappedBuffer(ascii("+OK\r\nline\r\n.")));
    assertThat(unstuffer.ended()).isFalse();
  }

  @Test
  void stufferShouldDoubleLeadingDotsAcrossChunkBoundaries() {
    byte[] message = ascii(MESSAGE);
    for (int split = 0; split <= message.length; split++) {
      DotStuffer stuffer = new DotStuffer();
      ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;
      byte[] first = java.util.Arrays.copyOfRange(message, 0, split);
      byte[] second = java.util.Arrays.copyOfRange(message, split, message.length);
      String wire =
          text(stuffer.stuff(alloc, first, first.length))
              + text(stuffer.stuff(alloc, second, second.length))
              + text(stuffer.end(alloc));
      assertThat(wire).as("split at %d", split).isEqualTo(stuffed(MESSAGE) + ".\r\n");
    }
  }

  @Test
  void stufferShouldEndAMessageThatLacksAFinalLineEnd() {
    DotStuffer stuffer = new DotStuffer();
    byte[] message = ascii("Subject: x\r\n\r\nno final line end");
    String wire =
        text(stuffer.stuff(ByteBufAllocator.DEFAULT, message, message.length))
            + text(stuffer.end(ByteBufAllocator.DEFAULT));
    assertThat(wire).endsWith("no final line end\r\n.\r\n");
  }

  @Test
  void topShouldCutAfterTheHeaderAndTheRequestedBodyLines() throws IOException {
    String message = "A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\nthree\r\n";
    assertThat(top(message, 0)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
    assertThat(top(message, 2)).isEqualTo("A: 1\r\nB: 2\r\n\r\none\r\ntwo\r\n");
    assertThat(top(message, 10)).isEqualTo(message);
    assertThat(top("A: 1\n\nbody\n", 0)).isEqualTo("A: 1\n\n");
  }

  private static String top(String message, int lines) throws IOException {
    long length = TopStream.length(new ByteArrayInputStream(ascii(message)), lines);
    return new String(
        TopStream.limit(new ByteArrayInputStream(ascii(message)), length).readAllBytes(),
        StandardCharsets.US_ASCII);
  }

  private static String stuffed(String message) {
    return message.replaceAll("(?md)^\\.", "..");
  }

  private static String text(ByteBuf buf) {
    try {
      return buf.toString(StandardCharsets.US_ASCII);
    } finally {
      buf.release();
    }
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
