package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.portcullis.filter.io.Spool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;

/**
 * Writes a message as the body of a multi-line answer (RFC 1939 §3): a dot is added before every
 * line that begins with one, and the answer ends with a line end and ".CRLF". Not thread-safe.
 */
final class DotStuffer {
  private static final byte[] END_AFTER_LINE = {'.', '\r', '\n'};
  private static final byte[] END_MID_LINE = {'\r', '\n', '.', '\r', '\n'};

  private boolean lineStart = true;

  /** The stuffed form of {@code bytes[0..length)}. */
  ByteBuf stuff(ByteBufAllocator alloc, byte[] bytes, int length) {
    ByteBuf out = alloc.buffer(length + length / 64 + 8);
    int from = 0;
    for (int i = 0; i < length; i++) {
      byte b = bytes[i];
      if (lineStart && b == '.') {
        out.writeBytes(bytes, from, i - from);
        out.writeByte('.');
        from = i;
      }
      lineStart = b == '\n';
    }
    out.writeBytes(bytes, from, length - from);
    return out;
  }

  /** The terminator, with a CRLF first if the message did not end with a line end. */
  ByteBuf end(ByteBufAllocator alloc) {
    byte[] end = lineStart ? END_AFTER_LINE : END_MID_LINE;
    return alloc.buffer(end.length).writeBytes(end);
  }

  /** Octets a client receives for {@code message}: a CRLF is added if it ends mid-line. */
  static long deliveredSize(Spool message) throws IOException {
    long size = message.size();
    if (size == 0) {
      return 0;
    }
    try (SeekableByteChannel channel = message.openChannel()) {
      ByteBuffer last = ByteBuffer.allocate(1);
      channel.position(size - 1);
      channel.read(last);
      return last.get(0) == '\n' ? size : size + 2;
    }
  }
}
