package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Collects the lines of an upstream UIDL or LIST answer that the gateway asked for itself (RFC 1939
 * §§5, 7), bounded so an upstream cannot make it hold more than {@link #MAX_BYTES}. Hands over the
 * lines, or empty for a negative, oversized or cut-off answer. Confined to the event loop.
 */
final class ListingCapture implements AnswerSink {
  /** About 200,000 messages of UIDL lines (RFC 1939 §7: a UIDL is at most 70 characters). */
  static final int MAX_BYTES = 16 * 1024 * 1024;

  private final DotUnstuffer unstuffer = new DotUnstuffer();
  private final StringBuilder text = new StringBuilder();
  private final Consumer<Optional<List<String>>> done;
  private Boolean positive;
  private boolean overflow;

  ListingCapture(Consumer<Optional<List<String>>> done) {
    this.done = done;
  }

  @Override
  public void bytes(ByteBuf slice) {
    try {
      if (positive == null && slice.isReadable()) {
        positive = slice.getByte(slice.readerIndex()) == '+';
      }
      if (!Boolean.TRUE.equals(positive) || overflow) {
        return;
      }
      byte[] content = unstuffer.feed(slice);
      if (text.length() + content.length > MAX_BYTES) {
        overflow = true;
        return;
      }
      text.append(new String(content, StandardCharsets.ISO_8859_1));
    } finally {
      slice.release();
    }
  }

  @Override
  public void complete() {
    if (!Boolean.TRUE.equals(positive) || overflow || !unstuffer.ended()) {
      done.accept(Optional.empty());
      return;
    }
    List<String> lines = new ArrayList<>();
    for (String line : text.toString().split("\n")) {
      String trimmed = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
      if (!trimmed.isEmpty()) {
        lines.add(trimmed);
      }
    }
    done.accept(Optional.of(lines));
  }
}
