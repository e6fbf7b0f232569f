package io.portcullis.filter;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Minimal OLE2 compound files ([MS-CFB] version 3) with a chosen directory, written at test time.
 */
final class OleFiles {

  private static final int FREE = 0xFFFFFFFF;
  private static final int END = 0xFFFFFFFE;

  private OleFiles() {}

  /** A "Word" file: a WordDocument stream plus the given storages (e.g. Macros, VBA). */
  static byte[] wordWithStorages(String... storages) {
    String[] names = new String[storages.length + 1];
    int[] types = new int[storages.length + 1];
    names[0] = "WordDocument";
    types[0] = 2;
    for (int i = 0; i < storages.length; i++) {
      names[i + 1] = storages[i];
      types[i + 1] = 1;
    }
    return file(names, types);
  }

  /** A file whose directory holds the given (empty) streams. */
  static byte[] withStreams(String... streams) {
    int[] types = new int[streams.length];
    java.util.Arrays.fill(types, 2);
    return file(streams, types);
  }

  /**
   * A file with one stream of the given content (4096 bytes or more, so in regular sectors after
   * the directory).
   */
  static byte[] withStreamData(String name, byte[] data) {
    int dataSectors = (data.length + 511) / 512;
    ByteBuffer b = ByteBuffer.allocate(512 * (3 + dataSectors)).order(ByteOrder.LITTLE_ENDIAN);
    b.put(0, file(new String[] {name}, new int[] {2}));
    int fat = 512;
    for (int s = 0; s < dataSectors; s++) {
      b.putInt(fat + 4 * (2 + s), s == dataSectors - 1 ? END : 3 + s);
    }
    b.putInt(1024 + 128 + 0x74, 2);
    b.putInt(1024 + 128 + 0x78, data.length);
    b.put(512 * 3, data);
    return b.array();
  }

  private static byte[] file(String[] names, int[] types) {
    int entries = names.length + 1;
    int dirSectors = (entries * 128 + 511) / 512;
    ByteBuffer b = ByteBuffer.allocate(512 * (2 + dirSectors)).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0, 0xE11AB1A1E011CFD0L);
    b.putShort(0x18, (short) 0x3E);
    b.putShort(0x1A, (short) 3);
    b.putShort(0x1C, (short) 0xFFFE);
    b.putShort(0x1E, (short) 9);
    b.putShort(0x20, (short) 6);
    b.putInt(0x2C, 1); // one FAT sector
    b.putInt(0x30, 1); // directory starts at sector 1
    b.putInt(0x38, 4096);
    b.putInt(0x3C, END);
    b.putInt(0x44, END);
    for (int i = 0; i < 109; i++) {
      b.putInt(0x4C + 4 * i, FREE);
    }
    b.putInt(0x4C, 0); // the FAT is sector 0
    int fat = 512;
    for (int i = 0; i < 128; i++) {
      b.putInt(fat + 4 * i, FREE);
    }
    b.putInt(fat, 0xFFFFFFFD); // sector 0 holds the FAT
    for (int s = 1; s <= dirSectors; s++) {
      b.putInt(fat + 4 * s, s == dirSectors ? END : s + 1);
    }
    int dir = 1024;
    entry(b, dir, "Root Entry", 5);
    for (int i = 0; i < names.length; i++) {
      entry(b, dir + 128 * (i + 1), names[i], types[i]);
    }
    return b.array();
  }

  private static void entry(ByteBuffer b, int off, String name, int type) {
    byte[] utf16 = name.getBytes(StandardCharsets.UTF_16LE);
    b.put(off, utf16);
    b.putShort(off + 0x40, (short) (utf16.length + 2));
    b.put(off + 0x42, (byte) type);
    b.putInt(off + 0x44, FREE);
    b.putInt(off + 0x48, FREE);
    b.putInt(off + 0x4C, FREE);
    b.putInt(off + 0x74, END);
    b.putInt(off + 0x78, 0);
  }
}
