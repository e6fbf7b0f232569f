package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;

/**
 * Tiny encoders for the legacy formats the inspector reads (SZDD, KWAJ, BinHex 4.0, uuencode,
 * Symbian SIS, PowerPoint ExOleObjStg, OLE Package streams), so that tests build their samples at
 * run time instead of carrying sample files.
 */
public final class LegacyFiles {

  private LegacyFiles() {}

  // ---- SZDD / KWAJ (COMPRESS.EXE) ----

  /** An SZDD file of {@code data}, LZSS-compressed with a greedy longest-match search. */
  public static byte[] szdd(byte[] data, int declaredLength) {
    ByteBuffer header = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MsCompressReader.SZDD_MAGIC).put((byte) 'A').put((byte) 0).putInt(declaredLength);
    return concat(header.array(), lzss(data));
  }

  /** A KWAJ file: method 0 stored, 1 XOR 0xFF, 2 SZDD LZSS, 3 LZH (here: opaque bytes), 4 MSZIP. */
  public static byte[] kwaj(String name, String ext, int method, byte[] data) {
    byte[] body =
        switch (method) {
          case 1 -> {
            byte[] x = data.clone();
            for (int i = 0; i < x.length; i++) {
              x[i] = (byte) ~x[i];
            }
            yield x;
          }
          case 2 -> lzss(data);
          case 4 -> mszip(data);
          default -> data;
        };
    ByteArrayOutputStream optional = new ByteArrayOutputStream();
    writeLe32(optional, data.length); // flag 0x01: decompressed length
    optional.writeBytes((name + "\0").getBytes(StandardCharsets.ISO_8859_1)); // flag 0x08
    optional.writeBytes((ext + "\0").getBytes(StandardCharsets.ISO_8859_1)); // flag 0x10
    int dataOffset = 14 + optional.size();
    ByteBuffer header = ByteBuffer.allocate(14).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MsCompressReader.KWAJ_MAGIC);
    header
        .putShort((short) method)
        .putShort((short) dataOffset)
        .putShort((short) (0x01 | 0x08 | 0x10));
    return concat(header.array(), optional.toByteArray(), body);
  }

  /** KWAJ MSZIP: 32 KiB blocks, each a 2-byte length, "CK" and raw deflate primed with the last. */
  static byte[] mszip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int at = 0; at < data.length; at += 32 * 1024) {
      int n = Math.min(32 * 1024, data.length - at);
      Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
      if (at > 0) {
        deflater.setDictionary(data, Math.max(0, at - 32 * 1024), Math.min(at, 32 * 1024));
      }
      deflater.setInput(data, at, n);
      deflater.finish();
      ByteArrayOutputStream block = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      while (!deflater.finished()) {
        block.write(buf, 0, deflater.deflate(buf));
      }
      deflater.end();
      int length = block.size() + 2;
      out.write(length & 0xFF);
      out.write(length >> 8);
      out.write('C');
      out.write('K');
      out.writeBytes(block.toByteArray());
    }
    out.write(0);
    out.write(0);
    return out.toByteArray();
  }

  /** COMPRESS.EXE's LZSS: window of 4096 starting at 4080, filled with spaces. */
  static byte[] lzss(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < data.length) {
      int control = 0;
      ByteArrayOutputStream group = new ByteArrayOutputStream();
      for (int bit = 0; bit < 8 && i < data.length; bit++) {
        int bestLen = 0;
        int bestFrom = 0;
        for (int from = Math.max(0, i - 4096 + 18); from < i; from++) {
          int len = 0;
          // Overlapping matches are fine: the decoder copies byte by byte.
          while (len < 18 && i + len < data.length && data[from + len] == data[i + len]) {
            len++;
          }
          if (len > bestLen) {
            bestLen = len;
            bestFrom = from;
          }
        }
        if (bestLen >= 3) {
          int pos = (4096 - 16 + bestFrom) & 4095;
          group.write(pos & 0xFF);
          group.write(((pos >> 4) & 0xF0) | (bestLen - 3));
          i += bestLen;
        } else {
          control |= 1 << bit;
          group.write(data[i++]);
        }
      }
      out.write(control);
      out.writeBytes(group.toByteArray());
    }
    return out.toByteArray();
  }

  // ---- BinHex 4.0 (RFC 1741) ----

  private static final String BINHEX_ALPHABET =
      "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";

  /** The 8-bit BinHex stream before run-length and 6-bit encoding: header, data fork, CRCs. */
  public static byte[] binHexStream(String name, byte[] data, long declaredDataLength) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
    h.write(n.length);
    h.writeBytes(n);
    h.write(0);
    h.writeBytes("APPL".getBytes(StandardCharsets.US_ASCII));
    h.writeBytes("????".getBytes(StandardCharsets.US_ASCII));
    h.write(0);
    h.write(0);
    writeBe32(h, declaredDataLength);
    writeBe32(h, 0); // no resource fork
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] header = h.toByteArray();
    out.writeBytes(header);
    writeBe16(out, crc(header));
    out.writeBytes(data);
    writeBe16(out, crc(data));
    writeBe16(out, crc(new byte[0]));
    return out.toByteArray();
  }

  /** The text form: 0x90 run-length encoding, the 6-bit alphabet in 64-character lines. */
  public static byte[] binHexText(byte[] stream) {
    ByteArrayOutputStream rle = new ByteArrayOutputStream();
    for (int i = 0; i < stream.length; ) {
      int b = stream[i] & 0xFF;
      int run = 1;
      while (i + run < stream.length && (stream[i + run] & 0xFF) == b && run < 255) {
        run++;
      }
      if (b == 0x90) {
        rle.write(0x90);
        rle.write(0);
        run = 1;
      } else if (run >= 3) {
        rle.write(b);
        rle.write(0x90);
        rle.write(run);
      } else {
        rle.write(b);
        run = 1;
      }
      i += run;
    }
    byte[] r = rle.toByteArray();
    StringBuilder text = new StringBuilder("(This file must be converted with BinHex 4.0)\r\n:");
    int column = 1;
    for (int i = 0; i < r.length; i += 3) {
      int b0 = r[i] & 0xFF;
      int b1 = i + 1 < r.length ? r[i + 1] & 0xFF : 0;
      int b2 = i + 2 < r.length ? r[i + 2] & 0xFF : 0;
      int[] six = {b0 >> 2, ((b0 & 3) << 4) | (b1 >> 4), ((b1 & 0xF) << 2) | (b2 >> 6), b2 & 0x3F};
      int chars = i + 2 < r.length ? 4 : i + 1 < r.length ? 3 : 2;
      for (int k = 0; k < chars; k++) {
        text.append(BINHEX_ALPHABET.charAt(six[k]));
        if (++column == 64) {
          text.append("\r\n");
          column = 0;
        }
      }
    }
    text.append(":\r\n");
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** CRC-16/XMODEM, as BinHex computes it. */
  static int crc(byte[] data) {
    int crc = 0;
    for (byte b : data) {
      crc ^= (b & 0xFF) << 8;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xFFFF;
    }
    return crc;
  }

  // ---- uuencode ----

  /** {@code begin 644 name}, lines of 45 bytes, the zero-length line and {@code end}. */
  public static String uuencode(String name, byte[] data) {
    StringBuilder sb = new StringBuilder("begin 644 ").append(name).append("\r\n");
    for (int i = 0; i < data.length; i += 45) {
      int n = Math.min(45, data.length - i);
      sb.append(uuChar(n));
      for (int k = 0; k < n; k += 3) {
        int b0 = data[i + k] & 0xFF;
        int b1 = k + 1 < n ? data[i + k + 1] & 0xFF : 0;
        int b2 = k + 2 < n ? data[i + k + 2] & 0xFF : 0;
        sb.append(uuChar(b0 >> 2))
            .append(uuChar(((b0 & 3) << 4) | (b1 >> 4)))
            .append(uuChar(((b1 & 0xF) << 2) | (b2 >> 6)))
            .append(uuChar(b2 & 0x3F));
      }
      sb.append("\r\n");
    }
    return sb.append("`\r\nend\r\n").toString();
  }

  private static char uuChar(int v) {
    return v == 0 ? '`' : (char) (' ' + v);
  }

  // ---- Symbian SIS (EPOC release 6) ----

  /**
   * A SIS file installing one file at {@code target}; compressed with zlib unless {@code
   * noCompress} sets the header option; {@code declaredLength} is the record's original length.
   */
  public static byte[] sis(String target, byte[] data, boolean noCompress, long declaredLength) {
    byte[] stored = noCompress ? data : zlib(data);
    byte[] name = target.getBytes(StandardCharsets.UTF_16LE);
    int filesAt = 100;
    int recordLength = 4 + 4 * 11;
    int nameAt = filesAt + recordLength;
    int dataAt = nameAt + name.length;
    ByteBuffer b = ByteBuffer.allocate(dataAt + stored.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 0x01000000).putInt(4, 0x10003A12).putInt(8, SisReader.UID3);
    b.putShort(18, (short) 1); // languages
    b.putShort(20, (short) 1); // file records
    b.putShort(36, (short) (0x0001 | (noCompress ? 0x0008 : 0))); // unicode names
    b.putInt(52, filesAt);
    b.position(filesAt);
    b.putInt(0).putInt(0).putInt(0); // simple file record, standard file, no details
    b.putInt(0).putInt(0); // no source name
    b.putInt(name.length).putInt(nameAt);
    b.putInt(stored.length).putInt(dataAt);
    b.putInt((int) declaredLength).putInt(0).putInt(0); // original length, no MIME type
    b.put(name).put(stored);
    return b.array();
  }

  // ---- PowerPoint and OLE ----

  /**
   * An ExOleObjStg record ([MS-PPT] 2.10.34) holding {@code storage}, zlib-compressed (instance 1)
   * with the given declared size, inside a container record as PowerPoint writes it.
   */
  public static byte[] pptDocumentStream(byte[] storage, long declaredSize, boolean compress) {
    byte[] body;
    if (compress) {
      ByteBuffer size = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      size.putInt((int) declaredSize);
      body = concat(size.array(), zlib(storage));
    } else {
      body = storage;
    }
    ByteBuffer atom = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    atom.putShort((short) (compress ? 0x0010 : 0x0000)).putShort((short) 0x1011);
    atom.putInt(body.length).put(body);
    byte[] documentAtom = new byte[8 + 40]; // a DocumentAtom-sized atom to skip first
    ByteBuffer.wrap(documentAtom)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putShort(2, (short) 0x03E9)
        .putInt(4, 40);
    byte[] children = concat(documentAtom, atom.array());
    ByteBuffer container = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    container.putShort((short) 0x000F).putShort((short) 0x03E8).putInt(children.length);
    byte[] stream = concat(container.array(), children);
    // OLE streams under 4 KiB live in the mini stream; the test OLE builder writes regular sectors.
    return stream.length >= 4096 ? stream : java.util.Arrays.copyOf(stream, 4096);
  }

  /** An [MS-OLEDS] Ole10Native stream (an OLE Package object) carrying a file. */
  public static byte[] ole10Native(String fileName, byte[] data) {
    byte[] label = (fileName + "\0").getBytes(StandardCharsets.ISO_8859_1);
    byte[] path = ("C:\\Temp\\" + fileName + "\0").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b =
        ByteBuffer.allocate(
                Math.max(
                    4096,
                    4 + 2 + label.length + path.length + 4 + 4 + path.length + 4 + data.length))
            .order(ByteOrder.LITTLE_ENDIAN);
    int size = 2 + label.length + path.length + 4 + 4 + path.length + 4 + data.length;
    b.putInt(size).putShort((short) 2).put(label).put(path).putShort((short) 0).putShort((short) 3);
    b.putInt(path.length).put(path).putInt(data.length).put(data);
    return b.array();
  }

  // ---- helpers ----

  static byte[] zlib(byte[] data) {
    Deflater deflater = new Deflater();
    deflater.setInput(data);
    deflater.finish();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    while (!deflater.finished()) {
      out.write(buf, 0, deflater.deflate(buf));
    }
    deflater.end();
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static void writeLe32(ByteArrayOutputStream out, long v) {
    for (int k = 0; k < 4; k++) {
      out.write((int) (v >> (8 * k)) & 0xFF);
    }
  }

  private static void writeBe32(ByteArrayOutputStream out, long v) {
    for (int k = 3; k >= 0; k--) {
      out.write((int) (v >> (8 * k)) & 0xFF);
    }
  }

  private static void writeBe16(ByteArrayOutputStream out, int v) {
    out.write((v >> 8) & 0xFF);
    out.write(v & 0xFF);
  }
}
