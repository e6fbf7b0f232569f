package io.portcullis.gateway.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits a byte stream into lines ending in CRLF (a bare LF is accepted, as Dovecot does) and emits
 * each as a {@link String} of ISO-8859-1 characters, so every byte survives unchanged when the line
 * is encoded again for the upstream. A line longer than the limit is never buffered: its bytes are
 * discarded up to the next LF and {@link #TOO_LONG} is emitted instead (THREATS P4, P6). Not
 * thread-safe; one per channel.
 */
public final class LineFramer extends ByteToMessageDecoder {
  /** Emitted in place of a line that exceeded the limit. */
  public static final Object TOO_LONG =
      new Object() {
        @Override
        public String toString() {
          return "LINE_TOO_LONG";
        }
      };

  private int maxLength;
  private boolean discarding;

  /**
   * @param maxLength the longest line accepted, terminator excluded
   */
  public LineFramer(int maxLength) {
    setMaxLength(maxLength);
  }

  /** Changes the limit, e.g. when a session authenticates; applies to the next line. */
  public void setMaxLength(int maxLength) {
    if (maxLength < 1) {
      throw new IllegalArgumentException("maxLength must be positive");
    }
    this.maxLength = maxLength;
  }

  /**
   * Bytes received and not yet emitted as a line. After a STLS/STARTTLS command this must be zero:
   * anything else was sent before the handshake and must never be used after it (THREATS S1).
   */
  public int bufferedBytes() {
    return actualReadableBytes();
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    // One line per call: the next handler acts on it while the rest stays buffered here, which is
    // what lets a STLS/STARTTLS handler see that more bytes followed the command.
    while (in.isReadable() && out.isEmpty()) {
      int lf = in.indexOf(in.readerIndex(), in.writerIndex(), (byte) '\n');
      if (discarding) {
        if (lf < 0) {
          in.skipBytes(in.readableBytes());
          return;
        }
        in.readerIndex(lf + 1);
        discarding = false;
        out.add(TOO_LONG);
        return;
      }
      if (lf < 0) {
        if (in.readableBytes() > maxLength + 1) {
          // +1 leaves room for a CR whose LF has not arrived yet.
          in.skipBytes(in.readableBytes());
          discarding = true;
        }
        return;
      }
      int end = lf > in.readerIndex() && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
      int length = end - in.readerIndex();
      if (length > maxLength) {
        in.readerIndex(lf + 1);
        out.add(TOO_LONG);
        return;
      }
      out.add(in.toString(in.readerIndex(), length, StandardCharsets.ISO_8859_1));
      in.readerIndex(lf + 1);
    }
  }
}
