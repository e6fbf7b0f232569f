package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import java.util.function.LongConsumer;

/**
 * Receives the upstream's answer to a RETR the gateway sent only to measure the message (RFC 1939
 * §5: the octets of the message, dot-stuffing undone): nothing is kept. Hands over the size, or -1
 * for a negative or cut-off answer. Confined to the event loop.
 */
final class SizeCapture implements AnswerSink {
  private final DotUnstuffer unstuffer = new DotUnstuffer();
  private final LongConsumer done;
  private Boolean positive;
  private long size;

  SizeCapture(LongConsumer done) {
    this.done = done;
  }

  @Override
  public void bytes(ByteBuf slice) {
    try {
      if (positive == null && slice.isReadable()) {
        positive = slice.getByte(slice.readerIndex()) == '+';
      }
      if (Boolean.TRUE.equals(positive)) {
        size += unstuffer.feed(slice).length;
      }
    } finally {
      slice.release();
    }
  }

  @Override
  public void complete() {
    done.accept(Boolean.TRUE.equals(positive) && unstuffer.ended() ? size : -1);
  }
}
