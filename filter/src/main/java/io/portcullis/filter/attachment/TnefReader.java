package io.portcullis.filter.attachment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the attachments out of a TNEF stream ({@code winmail.dat}, [MS-OXTNEF] §2.1.3): each {@code
 * attAttachRendData} starts an attachment, {@code attAttachTitle} names it and {@code
 * attAttachData} carries its bytes. Every length is checked against what remains. Stateless,
 * thread-safe.
 */
final class TnefReader {

  static final int SIGNATURE = 0x223E9F78;
  private static final int ATT_ATTACH_REND_DATA = 0x00069002;
  private static final int ATT_ATTACH_TITLE = 0x00018010;
  private static final int ATT_ATTACH_DATA = 0x0006800F;
  private static final int LEVEL_ATTACHMENT = 0x02;
  private static final int MAX_ATTRIBUTES = 100_000;
  private static final int MAX_ATTACHMENTS = 1_000;

  private TnefReader() {}

  /**
   * The attachments, in order; one without a title is named {@code attachment-N}.
   *
   * @throws IOException if the stream is not TNEF or an attribute runs past the end
   */
  static List<Member> attachments(byte[] tnef) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(tnef).order(ByteOrder.LITTLE_ENDIAN);
    if (tnef.length < 6 || b.getInt() != SIGNATURE) {
      throw new IOException("not a TNEF stream");
    }
    b.getShort(); // legacy key
    List<Member> out = new ArrayList<>();
    String name = null;
    byte[] data = null;
    boolean open = false;
    int attributes = 0;
    while (b.remaining() >= 9) {
      if (++attributes > MAX_ATTRIBUTES) {
        throw new IOException("TNEF: too many attributes");
      }
      int level = b.get() & 0xFF;
      int id = b.getInt();
      int length = b.getInt();
      if (length < 0 || length > b.remaining() - 2) {
        throw new IOException("TNEF: attribute runs past the end");
      }
      byte[] value = new byte[length];
      b.get(value);
      b.getShort(); // checksum: a wrong one changes nothing about what the client will open
      if (level != LEVEL_ATTACHMENT) {
        continue;
      }
      switch (id) {
        case ATT_ATTACH_REND_DATA -> {
          if (open) {
            add(out, name, data);
          }
          open = true;
          name = null;
          data = null;
        }
        case ATT_ATTACH_TITLE -> name = cString(value);
        case ATT_ATTACH_DATA -> data = value;
        default -> {
          // Rendering, dates and MAPI properties do not change what the file is.
        }
      }
      if (out.size() > MAX_ATTACHMENTS) {
        throw new IOException("TNEF: too many attachments");
      }
    }
    if (open) {
      add(out, name, data);
    }
    return out;
  }

  private static void add(List<Member> out, String name, byte[] data) {
    String n = name == null || name.isBlank() ? "attachment-" + (out.size() + 1) : name;
    out.add(new Member(n, data == null ? new byte[0] : data));
  }

  private static String cString(byte[] value) {
    int end = 0;
    while (end < value.length && value[end] != 0) {
      end++;
    }
    return new String(value, 0, end, StandardCharsets.ISO_8859_1);
  }
}
