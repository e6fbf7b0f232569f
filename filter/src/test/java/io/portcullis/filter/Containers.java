package io.portcullis.filter;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Containers the module reads with its own code (TNEF, RTF objects, PDF embedded files, RAR, CAB,
 * ARJ, BIFF8 workbooks), written byte by byte at test time from their specifications.
 */
final class Containers {

  private Containers() {}

  private static final class Out {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    Out u8(int v) {
      bytes.write(v);
      return this;
    }

    Out u16(int v) {
      return u8(v & 0xFF).u8((v >>> 8) & 0xFF);
    }

    Out u32(long v) {
      return u16((int) v & 0xFFFF).u16((int) (v >>> 16) & 0xFFFF);
    }

    Out raw(byte[] b) {
      bytes.writeBytes(b);
      return this;
    }

    Out ascii(String s) {
      return raw(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    Out cstring(String s) {
      return ascii(s).u8(0);
    }

    byte[] toBytes() {
      return bytes.toByteArray();
    }

    int size() {
      return bytes.size();
    }
  }

  // ---- TNEF ([MS-OXTNEF] 2.1.3) ----

  static byte[] tnef(String fileName, byte[] data) {
    Out o = new Out().u32(0x223E9F78L).u16(0x0001);
    tnefAttribute(
        o, 0x01, 0x00078008, "IPM.Microsoft Mail.Note\0".getBytes(StandardCharsets.US_ASCII));
    tnefAttribute(o, 0x02, 0x00069002, new byte[14]);
    tnefAttribute(o, 0x02, 0x00018010, (fileName + "\0").getBytes(StandardCharsets.ISO_8859_1));
    tnefAttribute(o, 0x02, 0x0006800F, data);
    return o.toBytes();
  }

  private static void tnefAttribute(Out o, int level, int id, byte[] value) {
    int sum = 0;
    for (byte b : value) {
      sum += b & 0xFF;
    }
    o.u8(level).u32(id).u32(value.length).raw(value).u16(sum & 0xFFFF);
  }

  // ---- RTF objects (RTF 1.9.1; [MS-OLEDS] 2.2.4 ObjectHeader, Ole10Native) ----

  /** An OLE1 embedded object of class Package carrying a file. */
  static byte[] packageObject(String fileName, byte[] data) {
    Out nativeData =
        new Out().u16(2).cstring(fileName).cstring("C:\\tmp\\" + fileName).u16(0).u16(3);
    byte[] command = ("C:\\tmp\\" + fileName + "\0").getBytes(StandardCharsets.ISO_8859_1);
    nativeData.u32(command.length).raw(command).u32(data.length).raw(data);
    byte[] n = nativeData.toBytes();
    return ole1("Package", new Out().u32(n.length).raw(n).toBytes());
  }

  /** An OLE1 embedded object of the given class with opaque native data. */
  static byte[] opaqueObject(String className, byte[] nativeData) {
    return ole1(className, new Out().u32(nativeData.length).raw(nativeData).toBytes());
  }

  private static byte[] ole1(String className, byte[] sizeAndNativeData) {
    byte[] cls = (className + "\0").getBytes(StandardCharsets.ISO_8859_1);
    return new Out()
        .u32(0x00000501)
        .u32(2)
        .u32(cls.length)
        .raw(cls)
        .u32(0)
        .u32(0)
        .raw(sizeAndNativeData)
        .toBytes();
  }

  /**
   * An RTF document with one {@code \object}; {@code junk} spreads white space and a control word
   * through the hex, as exploit kits do.
   */
  static byte[] rtf(String objClass, boolean objUpdate, byte[] objData, boolean junk) {
    String hex = HexFormat.of().formatHex(objData);
    if (junk) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < hex.length(); i += 16) {
        sb.append(hex, i, Math.min(hex.length(), i + 16)).append(i % 64 == 0 ? "\\par\r\n" : " \t");
      }
      hex = sb.toString();
    }
    return ("{\\rtf1\\ansi\\deff0 Dear customer, see the attached.\\par"
            + "{\\object\\objemb"
            + (objUpdate ? "\\objupdate" : "")
            + "{\\*\\objclass "
            + objClass
            + "}\\objw2000\\objh400{\\*\\objdata "
            + hex
            + "}}}")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] plainRtf() {
    return "{\\rtf1\\ansi\\deff0 {\\b Minutes} of the meeting.\\par}"
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  // ---- PDF embedded files (ISO 32000-1 §7.11.4) ----

  /** A PDF whose file specification names an embedded file; {@code launch} adds a Launch action. */
  static byte[] pdfWithEmbeddedFile(String fileName, byte[] data, boolean flate, boolean launch) {
    byte[] stream = flate ? deflate(data) : data;
    Out o = new Out();
    o.ascii("%PDF-1.7\n");
    o.ascii(
        "1 0 obj << /Type /Catalog /Names << /EmbeddedFiles << /Names [("
            + fileName
            + ") 2 0 R] >> >>"
            + (launch ? " /OpenAction 4 0 R" : "")
            + " >> endobj\n");
    o.ascii(
        "2 0 obj << /Type /Filespec /F ("
            + fileName
            + ") /UF ("
            + fileName
            + ") /EF << /F 3 0 R >> >> endobj\n");
    o.ascii(
        "3 0 obj << /Type /EmbeddedFile"
            + (flate ? " /Filter /FlateDecode" : "")
            + " /Length "
            + stream.length
            + " >>\nstream\n");
    o.raw(stream).ascii("\nendstream\nendobj\n");
    if (launch) {
      o.ascii("4 0 obj << /S /Launch /F (" + fileName + ") >> endobj\n");
    }
    o.ascii("%%EOF\n");
    return o.toBytes();
  }

  private static byte[] deflate(byte[] data) {
    Deflater d = new Deflater();
    d.setInput(data);
    d.finish();
    byte[] buf = new byte[data.length + 1024];
    int n = d.deflate(buf);
    d.end();
    return java.util.Arrays.copyOf(buf, n);
  }

  // ---- BIFF8 workbook stream ([MS-XLS] 2.4.21 BOF, 2.4.28 BoundSheet8) ----

  /** A Workbook stream declaring a worksheet and an Excel 4.0 macro sheet (hsState 2). */
  static byte[] workbookWithMacroSheet(String macroSheet) {
    Out o = new Out();
    o.u16(0x0809).u16(16).raw(new byte[16]); // BOF
    boundSheet(o, "Sheet1", 0, 0);
    boundSheet(o, macroSheet, 2, 1);
    o.u16(0x000A).u16(0); // EOF
    byte[] padded = new byte[8192];
    byte[] b = o.toBytes();
    System.arraycopy(b, 0, padded, 0, b.length);
    return padded;
  }

  private static void boundSheet(Out o, String name, int hidden, int type) {
    o.u16(0x0085).u16(8 + name.length());
    o.u32(0).u8(hidden).u8(type).u8(name.length()).u8(0).ascii(name);
  }

  // ---- RAR 4.x (technote) and RAR 5.0 ----

  static byte[] rar4(
      String name, byte[] data, int method, boolean encrypted, boolean lockedHeaders) {
    Out o = new Out().raw(new byte[] {0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x00});
    o.u16(0).u8(0x73).u16(lockedHeaders ? 0x0080 : 0).u16(13).u16(0).u32(0);
    if (!lockedHeaders) {
      byte[] n = name.getBytes(StandardCharsets.ISO_8859_1);
      CRC32 crc = new CRC32();
      crc.update(data);
      o.u16(0).u8(0x74).u16(0x8000 | (encrypted ? 0x0004 : 0)).u16(32 + n.length);
      o.u32(data.length).u32(data.length).u8(2).u32(crc.getValue()).u32(0).u8(29).u8(method);
      o.u16(n.length).u32(0x20).raw(n).raw(data);
    }
    o.u16(0).u8(0x7B).u16(0x4000).u16(7);
    return o.toBytes();
  }

  static byte[] rar5(String name, byte[] data, boolean lockedHeaders) {
    Out o = new Out().raw(new byte[] {0x52, 0x61, 0x72, 0x21, 0x1A, 0x07, 0x01, 0x00});
    rar5Header(o, new Out().u8(1).u8(0).u8(0).toBytes()); // main archive header
    if (lockedHeaders) {
      rar5Header(o, new Out().u8(4).u8(0).u8(0).u8(0).raw(new byte[16]).toBytes());
      return o.toBytes();
    }
    byte[] n = name.getBytes(StandardCharsets.UTF_8);
    Out file = new Out().u8(2).u8(0x02);
    vint(file, data.length); // data size
    file.u8(0); // file flags
    vint(file, data.length); // unpacked size
    file.u8(0x20).u8(0).u8(0); // attributes, compression info (store), host OS
    vint(file, n.length);
    file.raw(n);
    rar5Header(o, file.toBytes());
    o.raw(data);
    rar5Header(o, new Out().u8(5).u8(0).u8(0).toBytes());
    return o.toBytes();
  }

  private static void rar5Header(Out o, byte[] header) {
    Out sized = new Out();
    vint(sized, header.length);
    sized.raw(header);
    CRC32 crc = new CRC32();
    crc.update(sized.toBytes());
    o.u32(crc.getValue()).raw(sized.toBytes());
  }

  private static void vint(Out o, long v) {
    while (v >= 0x80) {
      o.u8((int) (v & 0x7F) | 0x80);
      v >>>= 7;
    }
    o.u8((int) v);
  }

  // ---- Microsoft cabinet ([MS-CAB]) ----

  /** compression: 0 none, 1 MSZIP, 3 LZX (the data is then not valid and must not be read). */
  static byte[] cab(String name, byte[] data, int compression) {
    return cab(name, data, compression, 1);
  }

  /** {@code files} entries, all naming the same bytes of the one folder (overlapping members). */
  static byte[] cab(String name, byte[] data, int compression, int files) {
    byte[] block =
        compression == 1 ? mszip(data) : compression == 0 ? data : new byte[] {1, 2, 3, 4};
    byte[] n = (name + "\0").getBytes(StandardCharsets.ISO_8859_1);
    int coffFiles = 36 + 8;
    int coffData = coffFiles + (16 + n.length) * files;
    int total = coffData + 8 + block.length;
    Out o = new Out().ascii("MSCF").u32(0).u32(total).u32(0).u32(coffFiles).u32(0);
    o.u8(3).u8(1).u16(1).u16(files).u16(0).u16(0).u16(0);
    o.u32(coffData).u16(1).u16(compression);
    for (int i = 0; i < files; i++) {
      o.u32(data.length).u32(0).u16(0).u16(0).u16(0).u16(0x20).raw(n);
    }
    o.u32(0).u16(block.length).u16(data.length).raw(block);
    return o.toBytes();
  }

  private static byte[] mszip(byte[] data) {
    Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
    d.setInput(data);
    d.finish();
    byte[] buf = new byte[data.length + 1024];
    int len = d.deflate(buf);
    d.end();
    return new Out().ascii("CK").raw(java.util.Arrays.copyOf(buf, len)).toBytes();
  }

  // ---- ARJ (ARJ technical information, "header structure") ----

  /** method 0 is stored; 1–4 are compressed (the data is then not valid and must not be read). */
  static byte[] arj(String name, byte[] data, int method) {
    Out o = new Out();
    arjHeader(o, mainHeaderFields(), "archive.arj");
    CRC32 crc = new CRC32();
    crc.update(data);
    Out local = new Out().u8(30).u8(11).u8(1).u8(0).u8(0).u8(method).u8(0).u8(0);
    local.u32(0).u32(data.length).u32(data.length).u32(crc.getValue()).u16(0).u16(0x20);
    local.u8(0).u8(0);
    arjHeader(o, local.toBytes(), name);
    o.raw(data);
    o.u8(0x60).u8(0xEA).u16(0);
    return o.toBytes();
  }

  private static byte[] mainHeaderFields() {
    Out main = new Out().u8(30).u8(11).u8(1).u8(0).u8(0).u8(0).u8(2).u8(0);
    main.u32(0).u32(0).u32(0).u32(0).u16(0).u16(0).u8(0).u8(0);
    return main.toBytes();
  }

  private static void arjHeader(Out o, byte[] fixed, String name) {
    byte[] basic = new Out().raw(fixed).cstring(name).cstring("").toBytes();
    CRC32 crc = new CRC32();
    crc.update(basic);
    o.u8(0x60).u8(0xEA).u16(basic.length).raw(basic).u32(crc.getValue()).u16(0);
  }

  static ByteBuffer le(byte[] b) {
    return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
  }
}
