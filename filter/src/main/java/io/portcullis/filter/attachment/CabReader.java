package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Reads a Microsoft cabinet ([MS-CAB]): the file list, and the content of folders stored
 * uncompressed or with MSZIP (deflate blocks, each primed with the previous 32 KiB); LZX and
 * Quantum folders are listed only. Every offset and count is checked against the file. Stateless,
 * thread-safe.
 */
final class CabReader {

  private static final int MAX_FILES = 65_535;
  private static final int COMPRESS_NONE = 0;
  private static final int COMPRESS_MSZIP = 1;
  private static final int WINDOW = 32 * 1024;

  private CabReader() {}

  /**
   * @param maxExpanded bytes all folders together may expand to in memory; a folder that would pass
   *     it is listed only
   * @throws IOException if the data is not a cabinet or its header is inconsistent
   */
  static ListedArchive list(byte[] cab, long maxExpanded) throws IOException {
    try {
      return read(cab, maxExpanded);
    } catch (RuntimeException e) {
      throw new IOException("CAB: inconsistent header", e);
    }
  }

  private static ListedArchive read(byte[] cab, long maxExpanded) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(cab).order(ByteOrder.LITTLE_ENDIAN);
    if (cab.length < 36 || b.getInt(0) != 0x4643534D) { // "MSCF"
      throw new IOException("not a cabinet");
    }
    long coffFiles = b.getInt(16) & 0xFFFFFFFFL;
    int folders = b.getShort(26) & 0xFFFF;
    int files = b.getShort(28) & 0xFFFF;
    int flags = b.getShort(30) & 0xFFFF;
    b.position(36);
    int folderReserve = 0;
    int dataReserve = 0;
    if ((flags & 0x0004) != 0) {
      int headerReserve = b.getShort() & 0xFFFF;
      folderReserve = b.get() & 0xFF;
      dataReserve = b.get() & 0xFF;
      b.position(b.position() + headerReserve);
    }
    if ((flags & 0x0001) != 0) {
      cString(b);
      cString(b);
    }
    if ((flags & 0x0002) != 0) {
      cString(b);
      cString(b);
    }
    long[][] folderInfo = new long[folders][];
    for (int i = 0; i < folders; i++) {
      long start = b.getInt() & 0xFFFFFFFFL;
      int blocks = b.getShort() & 0xFFFF;
      int compression = b.getShort() & 0x000F;
      b.position(b.position() + folderReserve);
      folderInfo[i] = new long[] {start, blocks, compression};
    }
    if (coffFiles >= cab.length || files > MAX_FILES) {
      throw new IOException("CAB: file table out of range");
    }
    b.position((int) coffFiles);
    List<long[]> fileInfo = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      long size = b.getInt() & 0xFFFFFFFFL;
      long offset = b.getInt() & 0xFFFFFFFFL;
      int folder = b.getShort() & 0xFFFF;
      b.getShort(); // date
      b.getShort(); // time
      int attributes = b.getShort() & 0xFFFF;
      byte[] raw = cString(b);
      // _A_NAME_IS_UTF (0x80): the name is UTF-8, else a code page we read as Latin-1.
      names.add(
          new String(
              raw,
              (attributes & 0x80) != 0 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1));
      fileInfo.add(new long[] {size, offset, folder});
    }
    byte[][] expanded = new byte[folders][];
    long[] budget = {maxExpanded}; // shared by all folders: what is held in memory at once
    long copied = 0;
    List<ListedArchive.Entry> entries = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      long[] f = fileInfo.get(i);
      int folder = (int) f[2];
      byte[] data = null;
      if (folder < folders) {
        if (expanded[folder] == null) {
          expanded[folder] = folder(cab, folderInfo[folder], dataReserve, budget[0]);
          budget[0] -= expanded[folder].length;
        }
        byte[] content = expanded[folder];
        if (content.length > 0 && f[1] + f[0] <= content.length) {
          // Files may overlap (a thousand entries naming the same megabytes): count the copies.
          copied += f[0];
          if (copied > maxExpanded) {
            throw new AttachmentInspector.BombException(
                "cabinet members overlap to more than " + maxExpanded + " bytes");
          }
          data = new byte[(int) f[0]];
          System.arraycopy(content, (int) f[1], data, 0, (int) f[0]);
        }
      }
      entries.add(new ListedArchive.Entry(names.get(i).replace('\\', '/'), false, false, data));
    }
    return new ListedArchive(entries, false);
  }

  /** A folder's content, or an empty array when its compression is not supported or too large. */
  private static byte[] folder(byte[] cab, long[] info, int dataReserve, long maxExpanded)
      throws IOException {
    int compression = (int) info[2];
    if (compression != COMPRESS_NONE && compression != COMPRESS_MSZIP) {
      return new byte[0];
    }
    ByteBuffer b = ByteBuffer.wrap(cab).order(ByteOrder.LITTLE_ENDIAN);
    if (info[0] >= cab.length) {
      throw new IOException("CAB: folder data out of range");
    }
    b.position((int) info[0]);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] window = new byte[0];
    for (int block = 0; block < info[1]; block++) {
      b.getInt(); // checksum
      int compressed = b.getShort() & 0xFFFF;
      int uncompressed = b.getShort() & 0xFFFF;
      b.position(b.position() + dataReserve);
      if (compressed > b.remaining()) {
        throw new IOException("CAB: data block out of range");
      }
      byte[] data = new byte[compressed];
      b.get(data);
      byte[] plain = compression == COMPRESS_NONE ? data : mszip(data, uncompressed, window);
      if (out.size() + (long) plain.length > maxExpanded) {
        return new byte[0];
      }
      out.write(plain, 0, plain.length);
      window = plain.length >= WINDOW ? plain : tail(out.toByteArray());
    }
    return out.toByteArray();
  }

  private static byte[] mszip(byte[] block, int uncompressed, byte[] window) throws IOException {
    if (block.length < 2 || block[0] != 'C' || block[1] != 'K') {
      throw new IOException("CAB: MSZIP block without its CK signature");
    }
    Inflater inflater = new Inflater(true);
    try {
      if (window.length > 0) {
        inflater.setDictionary(window);
      }
      inflater.setInput(block, 2, block.length - 2);
      byte[] out = new byte[uncompressed];
      int n = Inflating.fill(inflater, out);
      return n == out.length ? out : java.util.Arrays.copyOf(out, n);
    } catch (DataFormatException e) {
      throw new IOException("CAB: MSZIP block corrupt", e);
    } finally {
      inflater.end();
    }
  }

  private static byte[] tail(byte[] all) {
    int from = Math.max(0, all.length - WINDOW);
    return java.util.Arrays.copyOfRange(all, from, all.length);
  }

  private static byte[] cString(ByteBuffer b) {
    int start = b.position();
    while (b.get() != 0) {
      if (b.position() - start > 1024) {
        throw new IllegalArgumentException("CAB: name too long");
      }
    }
    byte[] raw = new byte[b.position() - start - 1];
    b.get(start, raw);
    return raw;
  }
}
