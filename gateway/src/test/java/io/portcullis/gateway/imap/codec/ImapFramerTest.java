package io.portcullis.gateway.imap.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImapFramerTest {
  private static final ImapFramer.Settings PRE_AUTH = ImapFramer.Settings.preAuth(8192, 8192);
  private static final ImapFramer.Settings POST_AUTH =
      ImapFramer.Settings.postAuth(65536, 64L * 1024 * 1024);

  /** Records frames as text; literal chunks in a row are joined so splits do not show. */
  private static final class Recorder extends ChannelInboundHandlerAdapter {
    final List<String> frames = new ArrayList<>();
    final boolean acceptLiterals;

    Recorder(boolean acceptLiterals) {
      this.acceptLiterals = acceptLiterals;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      switch ((ImapFrame) msg) {
        case ImapFrame.Command c -> frames.add("CMD " + c.text());
        case ImapFrame.LiteralRequest r -> {
          frames.add("REQ " + r.literal().size());
          ImapFramer framer = ctx.pipeline().get(ImapFramer.class);
          if (acceptLiterals) {
            framer.acceptLiteral();
          } else {
            framer.rejectLiteral();
          }
        }
        case ImapFrame.Segment s -> {
          frames.add("SEG " + (s.start() ? "start " : "cont ") + s.text());
          ImapFramer framer = ctx.pipeline().get(ImapFramer.class);
          if (acceptLiterals && framer.literalPending()) {
            framer.acceptLiteral();
          }
        }
        case ImapFrame.LiteralChunk c -> {
          String data = c.content().toString(StandardCharsets.ISO_8859_1);
          c.content().release();
          int last = frames.size() - 1;
          if (last >= 0 && frames.get(last).startsWith("LIT ")) {
            frames.set(last, frames.get(last) + data);
          } else {
            frames.add("LIT " + data);
          }
        }
        case ImapFrame.Refused r -> frames.add("REFUSED fatal=" + r.fatal());
        case ImapFrame.TooLong t -> frames.add("TOOLONG fatal=" + t.fatal());
      }
    }
  }

  private static List<String> frame(ImapFramer.Settings settings, boolean accept, String... parts) {
    Recorder recorder = new Recorder(accept);
    EmbeddedChannel ch = new EmbeddedChannel(new ImapFramer(settings), recorder);
    for (String part : parts) {
      ch.writeInbound(Unpooled.copiedBuffer(part, StandardCharsets.ISO_8859_1));
    }
    ch.finishAndReleaseAll();
    return recorder.frames;
  }

  /** THREATS P5: every split of the input gives exactly the frames of the unsplit input. */
  private static void assertSplitInvariant(ImapFramer.Settings settings, String input) {
    List<String> whole = frame(settings, true, input);
    for (int i = 1; i < input.length(); i++) {
      assertThat(frame(settings, true, input.substring(0, i), input.substring(i)))
          .as("split at %d", i)
          .isEqualTo(whole);
    }
    for (int i = 1; i < input.length(); i++) {
      for (int j = i + 1; j < input.length(); j += 7) {
        assertThat(
                frame(
                    settings,
                    true,
                    input.substring(0, i),
                    input.substring(i, j),
                    input.substring(j)))
            .as("split at %d and %d", i, j)
            .isEqualTo(whole);
      }
    }
  }

  @Test
  void preAuthCommandsShouldFrameIdenticallyWhenSplitAtEveryByteBoundary() {
    String input = "a1 LOGIN {4+}\r\nuser \"p\\\"w\"\r\na2 ID (\"name\" {3}\r\nabc)\r\na3 NOOP\r\n";
    assertThat(frame(PRE_AUTH, true, input))
        .containsExactly(
            "CMD a1 LOGIN {4+}\r\nuser \"p\\\"w\"",
            "REQ 3",
            "CMD a2 ID (\"name\" {3}\r\nabc)",
            "CMD a3 NOOP");
    assertSplitInvariant(PRE_AUTH, input);
  }

  @Test
  void literalContainingLogoutShouldNeverBeFramedAsCommand() {
    String literal = "x\r\nA1 LOGOUT\r\ny";
    String input = "a APPEND INBOX {" + literal.length() + "+}\r\n" + literal + "\r\nb NOOP\r\n";
    assertThat(frame(POST_AUTH, true, input))
        .containsExactly(
            "SEG start a APPEND INBOX {" + literal.length() + "+}",
            "LIT " + literal,
            "SEG cont ",
            "SEG start b NOOP");
    assertSplitInvariant(POST_AUTH, input);
  }

  @Test
  void streamingFramerShouldDelimitResponseLiteralsSplitAtEveryByteBoundary() {
    String body = "Subject: x\r\n\r\n)A1 OK {5}\r\n";
    String input =
        "* 1 FETCH (UID 7 BODY[] {"
            + body.length()
            + "}\r\n"
            + body
            + " FLAGS (\\Seen))\r\nA1 OK done\r\n";
    ImapFramer.Settings responses = ImapFramer.Settings.responses(65536);
    assertThat(frame(responses, false, input))
        .containsExactly(
            "SEG start * 1 FETCH (UID 7 BODY[] {" + body.length() + "}",
            "LIT " + body,
            "SEG cont  FLAGS (\\Seen))",
            "SEG start A1 OK done");
    assertSplitInvariant(responses, input);
  }

  @Test
  void zeroLengthLiteralShouldBeAccepted() {
    assertThat(frame(PRE_AUTH, true, "a LOGIN {0+}\r\n {4+}\r\npass\r\n"))
        .containsExactly("CMD a LOGIN {0+}\r\n {4+}\r\npass");
    assertThat(frame(POST_AUTH, true, "a APPEND INBOX {0}\r\n\r\n"))
        .containsExactly("SEG start a APPEND INBOX {0}", "SEG cont ");
  }

  @Test
  void synchronizingLiteralShouldNotBeReadUntilAccepted() {
    assertThat(frame(PRE_AUTH, false, "a LOGIN {4}\r\n", "b NOOP\r\n"))
        .containsExactly("REQ 4", "CMD b NOOP");
  }

  @Test
  void nonSyncLiteralOverPreAuthLimitShouldBeRefusedWithoutReadingIt() {
    String literal = "c NOOP\r\n".repeat(1200);
    assertThat(frame(PRE_AUTH, true, "a LOGIN {" + literal.length() + "+}\r\n" + literal))
        .containsExactly("REFUSED fatal=true");
  }

  @Test
  void syncLiteralOverPreAuthLimitShouldBeRefusedAndFramingContinue() {
    assertThat(frame(PRE_AUTH, true, "a LOGIN {9000}\r\n", "b NOOP\r\n"))
        .containsExactly("REFUSED fatal=false", "CMD b NOOP");
  }

  @Test
  void absurdLiteralSizesShouldBeRefusedWithoutAllocating() {
    assertThat(frame(PRE_AUTH, true, "a LOGIN {4294967295}\r\nb NOOP\r\n"))
        .containsExactly("REFUSED fatal=false", "CMD b NOOP");
    assertThat(frame(PRE_AUTH, true, "a LOGIN {4294967296}\r\nb NOOP\r\n"))
        .containsExactly("REFUSED fatal=false", "CMD b NOOP");
    assertThat(frame(POST_AUTH, true, "a X {99999999999999999999+}\r\nb NOOP\r\n"))
        .containsExactly("REFUSED fatal=true");
    // Not a literal at all: the parser answers BAD.
    assertThat(frame(PRE_AUTH, true, "a LOGIN {-1}\r\n")).containsExactly("CMD a LOGIN {-1}");
  }

  @Test
  void lineOverLimitShouldBeSkippedAndTheNextCommandFramed() {
    String longLine = "a NOOP " + "x".repeat(9000) + "\r\n";
    assertThat(frame(PRE_AUTH, true, longLine, "b NOOP\r\n"))
        .containsExactly("TOOLONG fatal=false", "CMD b NOOP");
  }

  @Test
  void overlongLineAnnouncingNonSyncLiteralShouldStopFramingSoTheLiteralIsNeverACommand() {
    String longLine = "a LOGIN " + "x".repeat(9000) + " {10+}\r\n";
    assertThat(frame(PRE_AUTH, true, longLine, "b LOGOUT\r\n", "c NOOP\r\n"))
        .containsExactly("TOOLONG fatal=true");
  }

  @Test
  void unterminatedLiteralAtDisconnectShouldReleaseItsBuffer() {
    Recorder recorder = new Recorder(true);
    EmbeddedChannel ch = new EmbeddedChannel(new ImapFramer(POST_AUTH), recorder);
    ByteBuf in =
        Unpooled.copiedBuffer("a APPEND INBOX {100+}\r\nonly part", StandardCharsets.US_ASCII);
    ch.writeInbound(in);
    ch.close();
    assertThat(recorder.frames).containsExactly("SEG start a APPEND INBOX {100+}", "LIT only part");
    assertThat(in.refCnt()).isZero();
  }

  @Test
  void pipelineLongerThanAnyBufferShouldBeFramedInOrder() {
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      input.append("t").append(i).append(" NOOP\r\n");
    }
    List<String> frames = frame(PRE_AUTH, true, input.toString());
    assertThat(frames).hasSize(2000);
    assertThat(frames.get(1999)).isEqualTo("CMD t1999 NOOP");
  }

  @Test
  void pausedFramerShouldHoldCommandsUntilResumed() {
    Recorder recorder = new Recorder(true);
    ImapFramer framer = new ImapFramer(PRE_AUTH);
    EmbeddedChannel ch = new EmbeddedChannel(framer, recorder);
    framer.pause();
    ch.writeInbound(Unpooled.copiedBuffer("a NOOP\r\nb NOOP\r\n", StandardCharsets.US_ASCII));
    assertThat(recorder.frames).isEmpty();
    assertThat(framer.bufferedBytes()).isEqualTo(16);
    framer.resume();
    assertThat(recorder.frames).containsExactly("CMD a NOOP", "CMD b NOOP");
    ch.finishAndReleaseAll();
  }

  @Test
  void senderFloodingWhileLiteralPendingShouldStopTheFramer() {
    assertThat(frame(POST_AUTH, false, "a APPEND INBOX {10}\r\n", "y".repeat(80_000)))
        .containsExactly("SEG start a APPEND INBOX {10}", "TOOLONG fatal=true");
  }
}
