package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Locale;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Expands files packed by MS-DOS {@code COMPRESS.EXE}: SZDD (LZSS over a 4096-byte window that
 * starts filled with spaces) and KWAJ stored, XOR-ed, SZDD- or MSZIP-compressed (methods 0–2 and 4;
 * LZH KWAJ files are listed by name only). Expansion stops at a caller's bound. Stateless,
 * thread-safe.
 */
final class MsCompressReader {

  static final byte[] SZDD_MAGIC = {'S', 'Z', 'D', 'D', (byte) 0x88, (byte) 0xF0, 0x27, 0x33};
  static final byte[] KWAJ_MAGIC = {
    'K', 'W', 'A', 'J', (byte) 0x88, (byte) 0xF0, 0x27, (byte) 0xD1
  };

  private static final int WINDOW = 4096;
  private static final int SZDD_HEADER = 14;
  private static final int KWAJ_HEADER = 14;
  private static final int KWAJ_STORED = 0;
  private static final int KWAJ_XOR = 1;
  private static final int KWAJ_SZDD = 2;
  private static final int KWAJ_MSZIP = 4;
  private static final int MSZIP_WINDOW = 32 * 1024;

  private MsCompressReader() {}

  /**
   * The one file an SZDD or KWAJ file holds.
   *
   * @param fileName the container's own name; SZDD keeps only the original's last character
   * @param maxExpanded bytes the file may expand to
   * @throws AttachmentInspector.BombException if it declares or expands to more than {@code
   *     maxExpanded}
   * @throws IOException if it is neither format or is truncated
   */
  static ListedArchive expand(byte[] packed, String fileName, long maxExpanded) throws IOException {
    if (startsWith(packed, SZDD_MAGIC)) {
      return szdd(packed, fileName, maxExpanded);
    }
    if (startsWith(packed, KWAJ_MAGIC)) {
      return kwaj(packed, fileName, maxExpanded);
    }
    throw new IOException("not an SZDD or KWAJ file");
  }

  private static ListedArchive szdd(byte[] packed, String fileName, long maxExpanded)
      throws IOException {
    if (packed.length < SZDD_HEADER || packed[8] != 'A') {
      throw new IOException("SZDD: header truncated or unknown mode");
    }
    ByteBuffer b = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
    long length = b.getInt(10) & 0xFFFFFFFFL;
    checkDeclared(length, maxExpanded, "SZDD");
    byte[] out = lzss(packed, SZDD_HEADER, (int) length);
    if (out.length < length) {
      throw new IOException("SZDD: data ends before the declared length");
    }
    String name = originalName(fileName, (char) (packed[9] & 0xFF));
    return single(name, out);
  }

  private static ListedArchive kwaj(byte[] packed, String fileName, long maxExpanded)
      throws IOException {
    if (packed.length < KWAJ_HEADER) {
      throw new IOException("KWAJ: header truncated");
    }
    ByteBuffer b = ByteBuffer.wrap(packed).order(ByteOrder.LITTLE_ENDIAN);
    int method = b.getShort(8) & 0xFFFF;
    int dataOffset = b.getShort(10) & 0xFFFF;
    int flags = b.getShort(12) & 0xFFFF;
    long length = -1;
    String name = "";
    try {
      b.position(KWAJ_HEADER);
      if ((flags & 0x01) != 0) {
        length = b.getInt() & 0xFFFFFFFFL;
      }
      if ((flags & 0x02) != 0) {
        b.getShort();
      }
      if ((flags & 0x04) != 0) {
        b.position(b.position() + (b.getShort() & 0xFFFF));
      }
      if ((flags & 0x08) != 0) {
        name = cString(b, 9);
      }
      if ((flags & 0x10) != 0) {
        name = name + "." + cString(b, 4);
      }
    } catch (RuntimeException e) {
      throw new IOException("KWAJ: header runs past the end", e);
    }
    if (name.isEmpty()) {
      name = originalName(fileName, '\0');
    }
    if (dataOffset < KWAJ_HEADER || dataOffset > packed.length) {
      throw new IOException("KWAJ: data offset out of range");
    }
    long bound = length >= 0 ? length : maxExpanded;
    if (length >= 0) {
      checkDeclared(length, maxExpanded, "KWAJ");
    }
    byte[] out =
        switch (method) {
          case KWAJ_STORED, KWAJ_XOR -> {
            int n = packed.length - dataOffset;
            if (n > bound) {
              n = (int) bound;
            }
            byte[] data = new byte[n];
            for (int i = 0; i < n; i++) {
              data[i] =
                  (byte) (method == KWAJ_XOR ? ~packed[dataOffset + i] : packed[dataOffset + i]);
            }
            yield data;
          }
          case KWAJ_SZDD -> lzss(packed, dataOffset, (int) Math.min(bound, Integer.MAX_VALUE - 8));
          case KWAJ_MSZIP -> mszip(packed, dataOffset, bound);
          default -> null; // LZH (3): named, not expanded
        };
    if (out != null && length >= 0 && out.length < length) {
      throw new IOException("KWAJ: data ends before the declared length");
    }
    if (out != null && length < 0 && out.length >= maxExpanded) {
      throw new AttachmentInspector.BombException(
          "KWAJ expands to more than " + maxExpanded + " bytes");
    }
    return single(name, out);
  }

  /**
   * LZSS as COMPRESS.EXE writes it: a control byte whose bits (low first) say literal (1) or a
   * 12-bit window position plus 4-bit length-3 (0); the window starts at 4096-16, filled with
   * spaces. Stops at {@code limit} output bytes or the end of the input.
   */
  static byte[] lzss(byte[] in, int from, int limit) {
    byte[] window = new byte[WINDOW];
    java.util.Arrays.fill(window, (byte) ' ');
    int pos = WINDOW - 16;
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 1 << 20));
    int i = from;
    while (i < in.length && out.size() < limit) {
      int control = in[i++] & 0xFF;
      for (int bit = 0; bit < 8 && i < in.length && out.size() < limit; bit++) {
        if ((control & (1 << bit)) != 0) {
          byte c = in[i++];
          out.write(c);
          window[pos] = c;
          pos = (pos + 1) & (WINDOW - 1);
        } else {
          if (i + 1 >= in.length) {
            i = in.length;
            break;
          }
          int lo = in[i++] & 0xFF;
          int hi = in[i++] & 0xFF;
          int match = lo | ((hi & 0xF0) << 4);
          int len = (hi & 0x0F) + 3;
          for (int k = 0; k < len && out.size() < limit; k++) {
            byte c = window[(match + k) & (WINDOW - 1)];
            out.write(c);
            window[pos] = c;
            pos = (pos + 1) & (WINDOW - 1);
          }
        }
      }
    }
    return out.toByteArray();
  }

  /**
   * KWAJ method 4: blocks of a 2-byte length (0 ends), "CK" and a raw deflate stream of at most 32
   * KiB, each primed with the previous 32 KiB of output as in cabinets. The next block starts where
   * the deflate stream ended.
   */
  private static byte[] mszip(byte[] in, int from, long bound) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] window = new byte[0];
    int pos = from;
    while (true) {
      if (pos + 2 > in.length) {
        throw new IOException("KWAJ: MSZIP data ends without its last block");
      }
      int blockLength = (in[pos] & 0xFF) | (in[pos + 1] & 0xFF) << 8;
      if (blockLength == 0) {
        return out.toByteArray();
      }
      if (pos + 4 > in.length || in[pos + 2] != 'C' || in[pos + 3] != 'K') {
        throw new IOException("KWAJ: MSZIP block without its CK signature");
      }
      Inflater inflater = new Inflater(true);
      try {
        if (window.length > 0) {
          inflater.setDictionary(window);
        }
        inflater.setInput(in, pos + 4, in.length - pos - 4);
        byte[] block = new byte[MSZIP_WINDOW];
        int n = Inflating.fill(inflater, block);
        if (!inflater.finished()) {
          throw new IOException("KWAJ: MSZIP block truncated or over 32 KiB");
        }
        if (out.size() + (long) n > bound) {
          throw new AttachmentInspector.BombException(
              "KWAJ expands to more than " + bound + " bytes");
        }
        out.write(block, 0, n);
        byte[] joined = java.util.Arrays.copyOf(window, window.length + n);
        System.arraycopy(block, 0, joined, window.length, n);
        window =
            java.util.Arrays.copyOfRange(
                joined, Math.max(0, joined.length - MSZIP_WINDOW), joined.length);
        pos = in.length - inflater.getRemaining();
      } catch (DataFormatException e) {
        throw new IOException("KWAJ: MSZIP block corrupt", e);
      } finally {
        inflater.end();
      }
    }
  }

  private static void checkDeclared(long length, long maxExpanded, String format)
      throws AttachmentInspector.BombException {
    if (length > maxExpanded) {
      throw new AttachmentInspector.BombException(
          format + " declares " + length + " bytes, more than " + maxExpanded);
    }
  }

  /**
   * The name before compression: COMPRESS.EXE replaces the last character with '_' and keeps it in
   * the header; a name given some other extension (clam.exe.szdd) loses that extension.
   */
  private static String originalName(String fileName, char last) {
    String base = FileNames.baseName(fileName);
    if (base.endsWith("_") && last > ' ' && last < 0x7F) {
      return base.substring(0, base.length() - 1) + Character.toLowerCase(last);
    }
    int dot = base.lastIndexOf('.');
    String ext = dot > 0 ? base.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
    if (ext.equals("szdd") || ext.equals("kwaj") || ext.equals("_")) {
      return base.substring(0, dot);
    }
    return base.isEmpty() ? "expanded" : base + ".out";
  }

  private static ListedArchive single(String name, byte[] data) {
    return new ListedArchive(List.of(new ListedArchive.Entry(name, false, false, data)), false);
  }

  private static String cString(ByteBuffer b, int max) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i <= max; i++) {
      byte c = b.get();
      if (c == 0) {
        break;
      }
      sb.append((char) (c & 0xFF));
    }
    return sb.toString();
  }

  private static boolean startsWith(byte[] data, byte[] magic) {
    return data.length >= magic.length
        && java.util.Arrays.equals(data, 0, magic.length, magic, 0, magic.length);
  }
}
