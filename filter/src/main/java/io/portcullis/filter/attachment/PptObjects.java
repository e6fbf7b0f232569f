package io.portcullis.filter.attachment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.Inflater;

/**
 * Finds the embedded OLE objects of a PowerPoint 97–2003 file: {@code ExOleObjStg} records
 * ([MS-PPT] 2.10.34, type 0x1011) in the "PowerPoint Document" stream, each an OLE2 storage, zlib
 * compressed when the record instance is 1. Container records are descended, atoms skipped by their
 * lengths. Stateless, thread-safe.
 */
final class PptObjects {

  private static final int EX_OLE_OBJ_STG = 0x1011;
  private static final int CONTAINER = 0xF;
  private static final int MAX_RECORDS = 1_000_000;
  private static final int MAX_OBJECTS = 100;

  private PptObjects() {}

  /**
   * The storages, named {@code ole-object-N}.
   *
   * @param maxBytes bytes all storages together may take: a short stream is zero-filled to its
   *     declared size, so the declared sizes are what is held in memory
   * @throws AttachmentInspector.BombException if the storages declare more
   */
  static List<Member> storages(byte[] document, long maxBytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(document).order(ByteOrder.LITTLE_ENDIAN);
    List<Member> out = new ArrayList<>();
    int records = 0;
    long left = maxBytes;
    // Walking headers in order descends containers (their children follow the header) and skips
    // atoms by length, so one pass over the stream reaches every record without recursion.
    while (b.remaining() >= 8 && records++ < MAX_RECORDS && out.size() < MAX_OBJECTS) {
      int verInstance = b.getShort() & 0xFFFF;
      int type = b.getShort() & 0xFFFF;
      long length = b.getInt() & 0xFFFFFFFFL;
      if ((verInstance & 0xF) == CONTAINER) {
        continue;
      }
      if (length > b.remaining()) {
        break; // a record cut short: what was found so far stands
      }
      int start = b.position();
      if (type == EX_OLE_OBJ_STG) {
        boolean compressed = (verInstance >> 4) == 1;
        byte[] storage =
            compressed
                ? inflate(document, start, (int) length, left)
                : java.util.Arrays.copyOfRange(document, start, start + (int) length);
        left -= storage.length;
        out.add(new Member("ole-object-" + (out.size() + 1), storage));
      }
      b.position(start + (int) length);
    }
    return out;
  }

  private static byte[] inflate(byte[] doc, int at, int length, long maxBytes) throws IOException {
    if (length < 4) {
      throw new IOException("PowerPoint: compressed object without its size");
    }
    long declared =
        ByteBuffer.wrap(doc, at, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xFFFFFFFFL;
    if (declared > maxBytes) {
      throw new AttachmentInspector.BombException(
          "PowerPoint objects declare more than " + maxBytes + " bytes");
    }
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(doc, at + 4, length - 4);
      byte[] out = new byte[(int) declared];
      int n = Inflating.fillUntilError(inflater, out);
      if (n == 0 && declared > 0) {
        throw new IOException("PowerPoint: compressed object corrupt");
      }
      // A short stream keeps its declared size, zero-filled: the storage's sectors stay where its
      // header says they are, and what was lost is only the tail.
      return out;
    } finally {
      inflater.end();
    }
  }
}
