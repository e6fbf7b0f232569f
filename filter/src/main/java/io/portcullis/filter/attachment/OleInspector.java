package io.portcullis.filter.attachment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the directory of an OLE2 compound file ([MS-CFB]) to tell Word/Excel/PowerPoint/MSI/Outlook
 * apart and to find VBA storages and encryption, without a full Office parser. Every chain is
 * bounded, so a crafted file with FAT loops or huge counts ends in an {@link IOException}.
 * Stateless, thread-safe.
 */
final class OleInspector {

  /** What the directory revealed. */
  record OleFacts(
      String trueType,
      boolean macros,
      boolean encrypted,
      Set<String> names,
      List<Embedded> embedded,
      List<String> xlmSheets) {}

  /** A file carried in an OLE Package object ({@code \u0001Ole10Native} stream). */
  record Embedded(String name, byte[] data) {}

  private static final int MAX_EMBEDDED = 20;
  private static final int MAX_EMBEDDED_BYTES = 32 << 20;

  private static final long SIGNATURE = 0xE11AB1A1E011CFD0L;
  private static final int MAX_SECTORS = 1 << 20;
  private static final int MAX_DIR_ENTRIES = 100_000;
  private static final int ENDOFCHAIN = 0xFFFFFFFE;
  private static final byte[] MSI_CLSID = clsid(0x000C1084);
  private static final byte[] MSP_CLSID = clsid(0x000C1086);
  private static final byte[] MST_CLSID = clsid(0x000C1082);

  private static byte[] clsid(int data1) {
    // {data1-0000-0000-C000-000000000046} in its little-endian on-disk form.
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(data1).putShort((short) 0).putShort((short) 0);
    b.put(new byte[] {(byte) 0xC0, 0, 0, 0, 0, 0, 0, 0x46});
    return b.array();
  }

  private OleInspector() {}

  static OleFacts inspect(SeekableByteChannel ch) throws IOException {
    ByteBuffer header = read(ch, 0, 512);
    if (header.getLong(0) != SIGNATURE) {
      throw new IOException("not an OLE2 compound file");
    }
    int sectorShift = header.getShort(0x1E) & 0xFFFF;
    if (sectorShift != 9 && sectorShift != 12) {
      throw new IOException("OLE2 sector shift " + sectorShift + " invalid");
    }
    int sectorSize = 1 << sectorShift;
    int numFatSectors = header.getInt(0x2C);
    int firstDirSector = header.getInt(0x30);
    int firstDifat = header.getInt(0x44);
    int numDifat = header.getInt(0x48);
    if (numFatSectors < 0 || numFatSectors > MAX_SECTORS / (sectorSize / 4) + 1) {
      throw new IOException("OLE2 FAT sector count out of range");
    }
    long fileSize = ch.size();

    List<Integer> fatSectors = new ArrayList<>();
    for (int i = 0; i < 109 && fatSectors.size() < numFatSectors; i++) {
      fatSectors.add(header.getInt(0x4C + 4 * i));
    }
    int difat = firstDifat;
    int difatSeen = 0;
    while (fatSectors.size() < numFatSectors && difat >= 0 && difatSeen++ <= numDifat) {
      ByteBuffer sector = read(ch, sectorOffset(difat, sectorSize), sectorSize);
      int perSector = sectorSize / 4 - 1;
      for (int i = 0; i < perSector && fatSectors.size() < numFatSectors; i++) {
        fatSectors.add(sector.getInt(4 * i));
      }
      difat = sector.getInt(sectorSize - 4);
    }
    int entriesPerSector = sectorSize / 4;
    long maxEntries = Math.min((long) fatSectors.size() * entriesPerSector, MAX_SECTORS);
    int[] fat = new int[(int) maxEntries];
    int idx = 0;
    for (int fatSector : fatSectors) {
      if (fatSector < 0
          || sectorOffset(fatSector, sectorSize) + sectorSize > fileSize + sectorSize) {
        throw new IOException("OLE2 FAT sector out of range");
      }
      ByteBuffer sector = read(ch, sectorOffset(fatSector, sectorSize), sectorSize);
      for (int i = 0; i < entriesPerSector && idx < fat.length; i++) {
        fat[idx++] = sector.getInt(4 * i);
      }
    }

    Set<String> names = new HashSet<>();
    List<long[]> nativeStreams = new ArrayList<>(); // {start sector, size}
    int rootStart = -1;
    long rootSize = 0;
    byte[] rootClsid = null;
    int wordStart = -1;
    int pptStart = -1;
    long pptSize = 0;
    int workbookStart = -1;
    List<String> xlmSheets = List.of();
    long workbookSize = 0;
    int sector = firstDirSector;
    int visited = 0;
    int entries = 0;
    while (sector != ENDOFCHAIN && sector >= 0) {
      if (sector >= fat.length || ++visited > MAX_SECTORS) {
        throw new IOException("OLE2 directory chain broken or looping");
      }
      ByteBuffer dir = read(ch, sectorOffset(sector, sectorSize), sectorSize);
      for (int off = 0; off + 128 <= sectorSize; off += 128) {
        if (++entries > MAX_DIR_ENTRIES) {
          throw new IOException("OLE2 directory has too many entries");
        }
        int type = dir.get(off + 0x42);
        if (type == 0) {
          continue;
        }
        int nameLen = dir.getShort(off + 0x40) & 0xFFFF;
        nameLen = Math.max(0, Math.min(64, nameLen) - 2);
        byte[] raw = new byte[nameLen];
        dir.get(off, raw);
        String name = new String(raw, StandardCharsets.UTF_16LE);
        names.add(name);
        if (type == 5) {
          rootClsid = new byte[16];
          dir.get(off + 0x50, rootClsid);
        }
        int start = dir.getInt(off + 0x74);
        long size = dir.getInt(off + 0x78) & 0xFFFFFFFFL;
        if (type == 5) {
          rootStart = start;
          rootSize = size;
        }
        if (type == 2 && name.equals("\u0001Ole10Native") && nativeStreams.size() < MAX_EMBEDDED) {
          nativeStreams.add(new long[] {start, size});
        }
        if (type == 2 && name.equals("PowerPoint Document")) {
          pptStart = start;
          pptSize = size;
        }
        if (type == 2 && name.equals("WordDocument") && size >= 4096) {
          wordStart = start;
        }
        if (type == 2 && (name.equals("Workbook") || name.equals("Book")) && size >= 4096) {
          workbookStart = start;
          workbookSize = size;
        }
      }
      sector = fat[sector];
    }

    boolean macros =
        names.contains("VBA")
            || names.contains("_VBA_PROJECT_CUR")
            || names.contains("_VBA_PROJECT")
            || names.contains("Macros");
    boolean encrypted =
        names.contains("EncryptedPackage")
            || names.contains("EncryptionInfo") && !names.contains("WordDocument")
            || names.contains("EncryptedSummary");
    String type = "application/x-tika-msoffice";
    if (java.util.Arrays.equals(rootClsid, MSI_CLSID)
        || java.util.Arrays.equals(rootClsid, MSP_CLSID)
        || java.util.Arrays.equals(rootClsid, MST_CLSID)) {
      type = "application/x-msi";
    } else if (names.contains("EncryptedPackage")) {
      type = "application/x-tika-ooxml-protected";
    } else if (names.contains("WordDocument")) {
      type = "application/msword";
      if (wordStart >= 0) {
        // FIB base: flags at 0x0A, bit 0x0100 is fEncrypted ([MS-DOC] 2.5.2).
        ByteBuffer fib = read(ch, sectorOffset(wordStart, sectorSize), 32);
        if ((fib.getShort(0x0A) & 0x0100) != 0) {
          encrypted = true;
        }
      }
    } else if (names.contains("Workbook") || names.contains("Book")) {
      type = "application/vnd.ms-excel";
      if (workbookStart >= 0 && workbookSize > 8) {
        // BIFF8: a FILEPASS record (0x002F) right after the BOF record means the workbook is
        // encrypted.
        ByteBuffer biff = read(ch, sectorOffset(workbookStart, sectorSize), 64);
        int bofLen = biff.getShort(2) & 0xFFFF;
        if (bofLen + 8 <= 64 && (biff.getShort(4 + bofLen) & 0xFFFF) == 0x002F) {
          encrypted = true;
        } else {
          int globals = (int) Math.min(workbookSize, MAX_BIFF_GLOBALS);
          xlmSheets = macroSheets(chain(ch, fat, sectorSize, workbookStart, globals));
        }
      }
    } else if (names.contains("PowerPoint Document")) {
      type = "application/vnd.ms-powerpoint";
    } else if (names.contains("__properties_version1.0")) {
      type = "application/vnd.ms-outlook";
    }
    Set<String> lowered = new HashSet<>();
    for (String n : names) {
      lowered.add(n.toLowerCase(Locale.ROOT));
    }
    List<Embedded> embedded = new ArrayList<>();
    int miniCutoff = header.getInt(0x38);
    int firstMiniFat = header.getInt(0x3C);
    for (long[] stream : nativeStreams) {
      if (stream[1] <= 6 || stream[1] > MAX_EMBEDDED_BYTES) {
        continue;
      }
      byte[] data =
          stream(ch, fat, sectorSize, miniCutoff, firstMiniFat, rootStart, rootSize, stream);
      Embedded e = ole10Native(data);
      if (e != null) {
        embedded.add(e);
      }
    }
    if (type.equals("application/vnd.ms-powerpoint")
        && pptStart >= 0
        && pptSize <= MAX_POWERPOINT_STREAM) {
      // Objects inserted into slides are OLE storages of their own inside the document stream.
      long[] stream = {pptStart, pptSize};
      byte[] document =
          stream(ch, fat, sectorSize, miniCutoff, firstMiniFat, rootStart, rootSize, stream);
      for (Member m : PptObjects.storages(document, MAX_EMBEDDED_BYTES)) {
        if (embedded.size() < MAX_EMBEDDED) {
          embedded.add(new Embedded(m.name(), m.data()));
        }
      }
    }
    return new OleFacts(
        type,
        macros || !xlmSheets.isEmpty(),
        encrypted,
        Set.copyOf(lowered),
        List.copyOf(embedded),
        xlmSheets);
  }

  /** Largest "PowerPoint Document" stream searched for embedded objects. */
  private static final int MAX_POWERPOINT_STREAM = 64 << 20;

  /** A stream's bytes, from the mini stream when it is smaller than the cutoff. */
  private static byte[] stream(
      SeekableByteChannel ch,
      int[] fat,
      int sectorSize,
      int miniCutoff,
      int firstMiniFat,
      int rootStart,
      long rootSize,
      long[] stream)
      throws IOException {
    return stream[1] < miniCutoff
        ? miniStream(
            ch,
            fat,
            sectorSize,
            firstMiniFat,
            rootStart,
            rootSize,
            (int) stream[0],
            (int) stream[1])
        : chain(ch, fat, sectorSize, (int) stream[0], (int) stream[1]);
  }

  /** Bytes of a Workbook stream read for its globals substream (sheets are declared there). */
  private static final int MAX_BIFF_GLOBALS = 1 << 20;

  private static final int BIFF_EOF = 0x000A;
  private static final int BIFF_BOUNDSHEET = 0x0085;

  /**
   * The Excel 4.0 (XLM) macro sheets a BIFF8 workbook declares: BoundSheet8 records ([MS-XLS]
   * 2.4.28) of type 1, with their visibility, since malware hides them ("very hidden").
   */
  static List<String> macroSheets(byte[] workbook) {
    List<String> sheets = new ArrayList<>();
    ByteBuffer b = ByteBuffer.wrap(workbook).order(ByteOrder.LITTLE_ENDIAN);
    while (b.remaining() >= 4 && sheets.size() < 256) {
      int type = b.getShort() & 0xFFFF;
      int length = b.getShort() & 0xFFFF;
      if (length > b.remaining()) {
        break;
      }
      int start = b.position();
      if (type == BIFF_EOF) {
        break;
      }
      if (type == BIFF_BOUNDSHEET && length >= 8) {
        int state = b.get(start + 4) & 0x03;
        int kind = b.get(start + 5) & 0xFF;
        if (kind == 0x01) {
          int chars = b.get(start + 6) & 0xFF;
          boolean wide = (b.get(start + 7) & 0x01) != 0;
          int bytes = Math.min(chars * (wide ? 2 : 1), length - 8);
          byte[] raw = new byte[Math.max(0, bytes)];
          b.get(start + 8, raw);
          String name =
              new String(raw, wide ? StandardCharsets.UTF_16LE : StandardCharsets.ISO_8859_1);
          sheets.add(name + (state == 1 ? " (hidden)" : state == 2 ? " (very hidden)" : ""));
        }
      }
      b.position(start + length);
    }
    return List.copyOf(sheets);
  }

  /** Reads {@code size} bytes of a stream stored in regular sectors, following the FAT. */
  private static byte[] chain(
      SeekableByteChannel ch, int[] fat, int sectorSize, int start, int size) throws IOException {
    byte[] out = new byte[size];
    int sector = start;
    int done = 0;
    int steps = 0;
    while (done < size) {
      if (sector < 0 || sector >= fat.length || ++steps > MAX_SECTORS) {
        throw new IOException("OLE2 stream chain broken or looping");
      }
      int n = Math.min(sectorSize, size - done);
      read(ch, sectorOffset(sector, sectorSize), sectorSize).get(0, out, done, n);
      done += n;
      sector = fat[sector];
    }
    return out;
  }

  /** Reads a small stream from the mini stream (64-byte sectors inside the root entry's stream). */
  private static byte[] miniStream(
      SeekableByteChannel ch,
      int[] fat,
      int sectorSize,
      int firstMiniFat,
      int rootStart,
      long rootSize,
      int start,
      int size)
      throws IOException {
    if (rootStart < 0 || rootSize <= 0 || rootSize > MAX_EMBEDDED_BYTES * 4L) {
      throw new IOException("OLE2 mini stream missing");
    }
    byte[] container = chain(ch, fat, sectorSize, rootStart, (int) rootSize);
    // The mini FAT is itself a regular stream; read enough of it to cover the chain.
    int miniFatBytes = (int) Math.min(MAX_SECTORS * 4L, ((rootSize + 63) / 64) * 4 + sectorSize);
    miniFatBytes -= miniFatBytes % sectorSize;
    byte[] miniFatRaw = chainLenient(ch, fat, sectorSize, firstMiniFat, miniFatBytes);
    ByteBuffer miniFat = ByteBuffer.wrap(miniFatRaw).order(ByteOrder.LITTLE_ENDIAN);
    byte[] out = new byte[size];
    int sector = start;
    int done = 0;
    int steps = 0;
    while (done < size) {
      long offset = (long) sector * 64;
      if (sector < 0 || offset + 64 > container.length || ++steps > MAX_SECTORS) {
        throw new IOException("OLE2 mini stream chain broken or looping");
      }
      int n = Math.min(64, size - done);
      System.arraycopy(container, (int) offset, out, done, n);
      done += n;
      sector = (sector * 4 + 4 <= miniFatRaw.length) ? miniFat.getInt(sector * 4) : -1;
    }
    return out;
  }

  /** Like {@link #chain} but stops quietly at the end of the chain. */
  private static byte[] chainLenient(
      SeekableByteChannel ch, int[] fat, int sectorSize, int start, int max) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    int sector = start;
    int steps = 0;
    while (sector >= 0 && sector < fat.length && out.size() < max && ++steps <= MAX_SECTORS) {
      ByteBuffer b = read(ch, sectorOffset(sector, sectorSize), sectorSize);
      out.write(b.array(), 0, sectorSize);
      sector = fat[sector];
    }
    return out.toByteArray();
  }

  /**
   * Parses an OLE Package ([MS-OLEDS] Ole10Native): size, flags, label, file name, flags, command,
   * then the embedded file. Returns the file with its original name, or null if malformed.
   */
  static Embedded ole10Native(byte[] d) {
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    try {
      b.position(4 + 2);
      String label = cString(b);
      String fileName = cString(b);
      b.position(b.position() + 4); // flags and an unknown word
      int commandLength = b.getInt();
      if (commandLength < 0 || commandLength > b.remaining()) {
        return new Embedded(label.isEmpty() ? fileName : label, new byte[0]);
      }
      b.position(b.position() + commandLength);
      int dataSize = b.getInt();
      if (dataSize < 0 || dataSize > b.remaining()) {
        return new Embedded(label.isEmpty() ? fileName : label, new byte[0]);
      }
      byte[] data = new byte[dataSize];
      b.get(data);
      String name = label.isEmpty() ? FileNames.baseName(fileName) : label;
      return new Embedded(name, data);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String cString(ByteBuffer b) {
    StringBuilder sb = new StringBuilder();
    while (b.hasRemaining() && sb.length() < 1024) {
      byte c = b.get();
      if (c == 0) {
        break;
      }
      sb.append((char) (c & 0xFF));
    }
    return sb.toString();
  }

  private static long sectorOffset(int sector, int sectorSize) {
    return (long) (sector + 1) * sectorSize;
  }

  private static ByteBuffer read(SeekableByteChannel ch, long offset, int len) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
    if (offset < 0 || offset >= ch.size()) {
      throw new IOException("OLE2 offset out of range");
    }
    ch.position(offset);
    while (buf.hasRemaining()) {
      if (ch.read(buf) < 0) {
        break;
      }
    }
    buf.clear();
    return buf;
  }
}
