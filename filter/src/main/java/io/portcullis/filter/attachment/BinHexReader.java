package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Decodes BinHex 4.0 (RFC 1741): the 6-bit text alphabet between ':' marks, the 0x90 run-length
 * encoding, then the header (name, type, creator, fork lengths) and the data fork, with the CRCs
 * checked. The resource fork holds no file a mail client opens and is skipped. Stateless,
 * thread-safe.
 */
final class BinHexReader {

  static final String MARKER = "(This file must be converted with BinHex";

  private static final String ALPHABET =
      "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";
  private static final int[] VALUE = new int[128];

  static {
    java.util.Arrays.fill(VALUE, -1);
    for (int i = 0; i < ALPHABET.length(); i++) {
      VALUE[ALPHABET.charAt(i)] = i;
    }
  }

  private static final int RUN = 0x90;

  /** Name length byte, name, NUL, type, creator, flags, two fork lengths, CRC. */
  private static final int HEADER_FIXED = 1 + 1 + 4 + 4 + 2 + 4 + 4 + 2;

  private BinHexReader() {}

  /**
   * The data fork under the header's file name.
   *
   * @param maxExpanded bytes the decoded stream may reach
   * @throws AttachmentInspector.BombException if the fork or the run-length decoding passes {@code
   *     maxExpanded}
   * @throws IOException if the text has no BinHex body, is truncated or fails its CRC
   */
  static ListedArchive decode(byte[] text, long maxExpanded) throws IOException {
    byte[] raw = runLengthDecode(sixBit(text), maxExpanded);
    if (raw.length < 1) {
      throw new IOException("BinHex: empty");
    }
    int nameLength = raw[0] & 0xFF;
    int headerEnd = HEADER_FIXED + nameLength;
    if (raw.length < headerEnd) {
      throw new IOException("BinHex: header truncated");
    }
    String name = new String(raw, 1, nameLength, StandardCharsets.ISO_8859_1);
    int p = 1 + nameLength + 1 + 4 + 4 + 2;
    long dataLength = u32(raw, p);
    checkCrc(raw, 0, headerEnd - 2, "header");
    if (dataLength > maxExpanded) {
      throw new AttachmentInspector.BombException(
          "BinHex declares a " + dataLength + "-byte data fork, more than " + maxExpanded);
    }
    if (raw.length < headerEnd + dataLength + 2) {
      throw new IOException("BinHex: data fork truncated");
    }
    checkCrc(raw, headerEnd, (int) dataLength, "data fork");
    byte[] data = java.util.Arrays.copyOfRange(raw, headerEnd, headerEnd + (int) dataLength);
    String member = name.isBlank() ? "binhex-data" : name;
    return new ListedArchive(List.of(new ListedArchive.Entry(member, false, false, data)), false);
  }

  /** The 8-bit stream the characters between the first ':' after the marker and the next encode. */
  private static byte[] sixBit(byte[] text) throws IOException {
    String ascii = new String(text, StandardCharsets.ISO_8859_1);
    int marker = ascii.indexOf(MARKER);
    int start = ascii.indexOf(':', marker < 0 ? 0 : marker + MARKER.length());
    if (marker < 0 || start < 0) {
      throw new IOException("BinHex: no encoded body");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length * 3 / 4 + 3);
    int bits = 0;
    int count = 0;
    for (int i = start + 1; i < text.length; i++) {
      int c = text[i] & 0xFF;
      if (c == ':') {
        return out.toByteArray();
      }
      if (c == '\r' || c == '\n' || c == ' ' || c == '\t') {
        continue;
      }
      int v = c < 128 ? VALUE[c] : -1;
      if (v < 0) {
        throw new IOException("BinHex: character outside the alphabet");
      }
      bits = (bits << 6) | v;
      count += 6;
      if (count >= 8) {
        count -= 8;
        out.write((bits >> count) & 0xFF);
      }
    }
    throw new IOException("BinHex: no closing ':'");
  }

  /** 0x90 n repeats the previous byte n-1 more times; 0x90 0x00 is a literal 0x90. */
  private static byte[] runLengthDecode(byte[] in, long maxExpanded) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(in.length);
    int previous = -1;
    for (int i = 0; i < in.length; i++) {
      int c = in[i] & 0xFF;
      if (c != RUN) {
        out.write(c);
        previous = c;
      } else {
        if (i + 1 >= in.length) {
          throw new IOException("BinHex: run marker at the end");
        }
        int n = in[++i] & 0xFF;
        if (n == 0) {
          out.write(RUN);
          previous = RUN;
        } else if (previous < 0) {
          throw new IOException("BinHex: run without a byte to repeat");
        } else {
          for (int k = 1; k < n; k++) {
            out.write(previous);
          }
        }
      }
      if (out.size() > maxExpanded) {
        throw new AttachmentInspector.BombException(
            "BinHex expands to more than " + maxExpanded + " bytes");
      }
    }
    return out.toByteArray();
  }

  /** CRC-16/XMODEM (polynomial 0x1021, initial 0) of {@code length} bytes, then the stored CRC. */
  private static void checkCrc(byte[] raw, int from, int length, String what) throws IOException {
    int crc = 0;
    for (int i = from; i < from + length; i++) {
      crc ^= (raw[i] & 0xFF) << 8;
      for (int k = 0; k < 8; k++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xFFFF;
    }
    int stored = ((raw[from + length] & 0xFF) << 8) | (raw[from + length + 1] & 0xFF);
    if (crc != stored) {
      throw new IOException("BinHex: " + what + " CRC mismatch");
    }
  }

  private static long u32(byte[] b, int p) {
    return ((b[p] & 0xFFL) << 24)
        | ((b[p + 1] & 0xFFL) << 16)
        | ((b[p + 2] & 0xFFL) << 8)
        | (b[p + 3] & 0xFFL);
  }
}
