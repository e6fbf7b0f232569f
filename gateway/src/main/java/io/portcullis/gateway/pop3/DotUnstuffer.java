package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/**
 * Turns a positive multi-line answer as it arrives (status line, dot-stuffed lines, terminating
 * ".CRLF") into the message it carries (RFC 1939 §3): the status line and the terminator dropped,
 * the leading dot of each stuffed line removed. A bare LF ends lines too, as in {@link
 * Pop3ResponseFramer}. Not thread-safe.
 */
final class DotUnstuffer {
  private enum State {
    STATUS,
    LINE_START,
    MID_LINE,
    /** A dot at a line start was dropped; it may begin the terminator. */
    DOT,
    /** ".CR" seen; an LF makes it the terminator, anything else is content. */
    DOT_CR,
    ENDED
  }

  private State state = State.STATUS;

  /** The message bytes in {@code in} (read from its reader index, which is not moved). */
  byte[] feed(ByteBuf in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.readableBytes());
    int i = in.readerIndex();
    int end = in.writerIndex();
    while (i < end) {
      switch (state) {
        case STATUS -> {
          int lf = in.indexOf(i, end, (byte) '\n');
          if (lf < 0) {
            i = end;
          } else {
            i = lf + 1;
            state = State.LINE_START;
          }
        }
        case LINE_START -> {
          if (in.getByte(i) == '.') {
            i++;
            state = State.DOT;
          } else {
            state = State.MID_LINE;
          }
        }
        case MID_LINE -> {
          int lf = in.indexOf(i, end, (byte) '\n');
          int stop = lf < 0 ? end : lf + 1;
          copy(in, i, stop, out);
          i = stop;
          if (lf >= 0) {
            state = State.LINE_START;
          }
        }
        case DOT -> {
          byte b = in.getByte(i);
          if (b == '\n') {
            i++;
            state = State.ENDED;
          } else if (b == '\r') {
            i++;
            state = State.DOT_CR;
          } else {
            state = State.MID_LINE;
          }
        }
        case DOT_CR -> {
          if (in.getByte(i) == '\n') {
            i++;
            state = State.ENDED;
          } else {
            out.write('\r');
            state = State.MID_LINE;
          }
        }
        case ENDED -> i = end;
      }
    }
    return out.toByteArray();
  }

  /** Whether the terminator was seen, so the message is whole. */
  boolean ended() {
    return state == State.ENDED;
  }

  private static void copy(ByteBuf in, int from, int to, ByteArrayOutputStream out) {
    if (to > from) {
      byte[] chunk = new byte[to - from];
      in.getBytes(from, chunk);
      out.write(chunk, 0, chunk.length);
    }
  }
}
