package io.portcullis.filter.attachment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Lists a RAR archive from its block headers (RAR 4.x technote; RAR 5.0 "Archive format"): names,
 * directories, encryption (per file, or of the headers themselves), and the data of members stored
 * without compression. No decompression code (unRAR's licence forbids reuse), so compressed members
 * are reported, not read. Stateless, thread-safe.
 */
final class RarLister {

  private static final byte[] RAR4 = {0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00};
  private static final byte[] RAR5 = {0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00};
  private static final int MAX_ENTRIES = 100_000;

  private RarLister() {}

  /**
   * @throws IOException if the data is not RAR or a header is inconsistent
   */
  static ListedArchive list(byte[] rar, long maxStored) throws IOException {
    try {
      if (startsWith(rar, RAR5)) {
        return rar5(rar, maxStored);
      }
      if (startsWith(rar, RAR4)) {
        return rar4(rar, maxStored);
      }
    } catch (RuntimeException e) {
      throw new IOException("RAR: inconsistent header", e);
    }
    throw new IOException("not a RAR archive");
  }

  private static ListedArchive rar4(byte[] rar, long maxStored) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(rar).order(ByteOrder.LITTLE_ENDIAN);
    b.position(RAR4.length);
    List<ListedArchive.Entry> entries = new ArrayList<>();
    while (b.remaining() >= 7 && entries.size() < MAX_ENTRIES) {
      int blockStart = b.position();
      b.getShort(); // header CRC
      int type = b.get() & 0xFF;
      int flags = b.getShort() & 0xFFFF;
      int headSize = b.getShort() & 0xFFFF;
      if (headSize < 7 || blockStart + headSize > rar.length) {
        throw new IOException("RAR: header size out of range");
      }
      long addSize = 0;
      if (type == 0x73 && (flags & 0x0080) != 0) {
        return new ListedArchive(entries, true); // MHD_PASSWORD: the file headers are encrypted
      }
      if (type == 0x74) {
        long packSize = b.getInt() & 0xFFFFFFFFL;
        b.getInt(); // unpacked size
        b.get(); // host OS
        b.getInt(); // file CRC
        b.getInt(); // time
        b.get(); // version
        int method = b.get() & 0xFF;
        int nameSize = b.getShort() & 0xFFFF;
        b.getInt(); // attributes
        if ((flags & 0x0100) != 0) {
          packSize |= (b.getInt() & 0xFFFFFFFFL) << 32;
          b.getInt();
        }
        byte[] raw = new byte[Math.min(nameSize, b.remaining())];
        b.get(raw);
        int nul = 0;
        while (nul < raw.length && raw[nul] != 0) {
          nul++;
        }
        // With LHD_UNICODE the name is "ascii\0encoded-unicode"; the ASCII form is enough here.
        String name =
            new String(
                raw,
                0,
                nul,
                (flags & 0x0200) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        boolean encrypted = (flags & 0x0004) != 0;
        boolean directory = (flags & 0x00E0) == 0x00E0;
        addSize = packSize;
        long dataStart = (long) blockStart + headSize;
        byte[] data = null;
        if (!encrypted && !directory && method == 0x30 && packSize <= maxStored) {
          data = slice(rar, dataStart, packSize);
        }
        entries.add(new ListedArchive.Entry(name.replace('\\', '/'), directory, encrypted, data));
      } else if ((flags & 0x8000) != 0) {
        addSize = b.getInt() & 0xFFFFFFFFL;
      }
      if (type == 0x7B) {
        break;
      }
      long next = (long) blockStart + headSize + addSize;
      if (next > rar.length || next <= blockStart) {
        break; // truncated: list what was seen
      }
      b.position((int) next);
    }
    return new ListedArchive(entries, false);
  }

  private static ListedArchive rar5(byte[] rar, long maxStored) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(rar).order(ByteOrder.LITTLE_ENDIAN);
    b.position(RAR5.length);
    List<ListedArchive.Entry> entries = new ArrayList<>();
    while (b.remaining() >= 6 && entries.size() < MAX_ENTRIES) {
      b.getInt(); // header CRC32
      long headerSize = vint(b);
      int headerStart = b.position();
      if (headerSize < 2 || headerStart + headerSize > rar.length) {
        throw new IOException("RAR5: header size out of range");
      }
      int headerEnd = (int) (headerStart + headerSize);
      long type = vint(b);
      long flags = vint(b);
      long extraSize = (flags & 0x0001) != 0 ? vint(b) : 0;
      long dataSize = (flags & 0x0002) != 0 ? vint(b) : 0;
      if (type == 4) {
        return new ListedArchive(entries, true); // archive encryption header
      }
      if (type == 2) {
        long fileFlags = vint(b);
        vint(b); // unpacked size
        vint(b); // attributes
        if ((fileFlags & 0x0002) != 0) {
          b.getInt(); // mtime
        }
        if ((fileFlags & 0x0004) != 0) {
          b.getInt(); // data CRC32
        }
        long compression = vint(b);
        vint(b); // host OS
        int nameLength = (int) vint(b);
        if (nameLength < 0 || nameLength > headerEnd - b.position()) {
          throw new IOException("RAR5: name length out of range");
        }
        byte[] raw = new byte[nameLength];
        b.get(raw);
        boolean encrypted = false;
        if (extraSize > 0 && extraSize <= headerSize) {
          ByteBuffer extra = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
          extra.position((int) (headerEnd - extraSize));
          while (extra.position() < headerEnd) {
            long size = vint(extra);
            int recordStart = extra.position();
            if (size <= 0 || recordStart + size > headerEnd) {
              break;
            }
            if (vint(extra) == 0x01) {
              encrypted = true; // file encryption record
            }
            extra.position((int) (recordStart + size));
          }
        }
        boolean directory = (fileFlags & 0x0001) != 0;
        int method = (int) ((compression >> 7) & 0x7);
        byte[] data = null;
        if (!encrypted && !directory && method == 0 && dataSize <= maxStored) {
          data = slice(rar, headerEnd, dataSize);
        }
        entries.add(
            new ListedArchive.Entry(
                new String(raw, StandardCharsets.UTF_8), directory, encrypted, data));
      }
      if (type == 5) {
        break;
      }
      long next = headerEnd + dataSize;
      if (next > rar.length) {
        break; // truncated: list what was seen
      }
      b.position((int) next);
    }
    return new ListedArchive(entries, false);
  }

  /** RAR5's variable-length integer: 7 bits per byte, low first, high bit = more. */
  private static long vint(ByteBuffer b) {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int c = b.get() & 0xFF;
      v |= (long) (c & 0x7F) << shift;
      if ((c & 0x80) == 0) {
        return v;
      }
    }
    throw new IllegalArgumentException("vint too long");
  }

  private static byte[] slice(byte[] b, long start, long length) {
    if (start < 0 || length < 0 || start + length > b.length) {
      return null;
    }
    byte[] out = new byte[(int) length];
    System.arraycopy(b, (int) start, out, 0, (int) length);
    return out;
  }

  private static boolean startsWith(byte[] data, byte[] prefix) {
    if (data.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (data[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
