package io.portcullis.filter.attachment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Lists a Symbian installer of EPOC releases 3–6 (the pre-Symbian-9 SIS format): its file records
 * (simple and per-language files; condition records skipped) with each file's bytes, inflated from
 * zlib in release-6 files unless the header's NoCompress option is set. Every pointer and length is
 * checked against the file. Stateless, thread-safe.
 */
final class SisReader {

  static final int UID3 = 0x10000419;
  private static final int UID2_EPOC3 = 0x1000006D;
  private static final int UID2_EPOC6 = 0x10003A12;
  private static final int OPTION_UNICODE = 0x0001;
  private static final int OPTION_NO_COMPRESS = 0x0008;
  private static final int HEADER = 68;

  private static final int RECORD_FILE = 0;
  private static final int RECORD_LANGUAGE_FILES = 1;
  private static final int RECORD_OPTIONS = 2;
  private static final int RECORD_IF = 3;
  private static final int RECORD_ELSE_IF = 4;
  private static final int RECORD_ELSE = 5;
  private static final int RECORD_END_IF = 6;
  private static final int FILE_TYPE_NULL = 4;
  private static final int MAX_LANGUAGES = 256;
  private static final int MAX_NAME_BYTES = 2048;

  private SisReader() {}

  /**
   * The files, each named by the base name of where it is installed.
   *
   * @param maxExpanded bytes all files together may take once inflated
   * @throws AttachmentInspector.BombException if the files declare or inflate to more
   * @throws IOException if the data is not a SIS file or a record is inconsistent
   */
  static ListedArchive list(byte[] sis, long maxExpanded) throws IOException {
    try {
      return read(sis, maxExpanded);
    } catch (RuntimeException e) {
      throw new IOException("SIS: inconsistent record", e);
    }
  }

  private static ListedArchive read(byte[] sis, long maxExpanded) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(sis).order(ByteOrder.LITTLE_ENDIAN);
    if (sis.length < HEADER || b.getInt(8) != UID3) {
      throw new IOException("not a SIS file");
    }
    int uid2 = b.getInt(4);
    if (uid2 != UID2_EPOC6 && uid2 != UID2_EPOC3) {
      throw new IOException("SIS: unknown release");
    }
    boolean epoc6 = uid2 == UID2_EPOC6;
    int languages = b.getShort(18) & 0xFFFF;
    int files = b.getShort(20) & 0xFFFF;
    int options = b.getShort(36) & 0xFFFF;
    int filesAt = b.getInt(52);
    if (languages < 1 || languages > MAX_LANGUAGES) {
      throw new IOException("SIS: language count out of range");
    }
    boolean compressed = epoc6 && (options & OPTION_NO_COMPRESS) == 0;
    boolean unicode = (options & OPTION_UNICODE) != 0;
    b.position(checked(sis, filesAt, 0));
    List<ListedArchive.Entry> entries = new ArrayList<>();
    long[] budget = {maxExpanded};
    for (int i = 0; i < files; i++) {
      int record = b.getInt();
      switch (record) {
        case RECORD_FILE, RECORD_LANGUAGE_FILES -> {
          int count = record == RECORD_FILE ? 1 : languages;
          fileRecord(sis, b, count, epoc6, compressed, unicode, budget, entries);
        }
        case RECORD_IF, RECORD_ELSE_IF -> b.position(b.position() + b.getInt());
        case RECORD_ELSE, RECORD_END_IF -> {
          // No payload: the files between them are records of their own.
        }
        case RECORD_OPTIONS ->
            throw new IOException("SIS: option records are not read; files unlisted");
        default -> throw new IOException("SIS: unknown record type " + record);
      }
    }
    return new ListedArchive(entries, false);
  }

  private static void fileRecord(
      byte[] sis,
      ByteBuffer b,
      int count,
      boolean epoc6,
      boolean compressed,
      boolean unicode,
      long[] budget,
      List<ListedArchive.Entry> entries)
      throws IOException {
    int fileType = b.getInt();
    b.getInt(); // details: what the installer asks; not what the file is
    String source = name(sis, b.getInt(), b.getInt(), unicode);
    String target = name(sis, b.getInt(), b.getInt(), unicode);
    int[] lengths = new int[count];
    int[] pointers = new int[count];
    long[] originals = new long[count];
    for (int k = 0; k < count; k++) {
      lengths[k] = b.getInt();
    }
    for (int k = 0; k < count; k++) {
      pointers[k] = b.getInt();
    }
    if (epoc6) {
      for (int k = 0; k < count; k++) {
        originals[k] = b.getInt() & 0xFFFFFFFFL;
      }
      b.getInt(); // MIME type length
      b.getInt(); // MIME type pointer
    }
    String name = FileNames.baseName(target.isEmpty() ? source : target);
    if (fileType == FILE_TYPE_NULL) {
      return; // a file the application creates later: nothing is shipped
    }
    for (int k = 0; k < count; k++) {
      int at = checked(sis, pointers[k], lengths[k]);
      byte[] data =
          compressed
              ? inflate(sis, at, lengths[k], originals[k], budget)
              : java.util.Arrays.copyOfRange(sis, at, at + lengths[k]);
      if (!compressed) {
        spend(budget, data.length);
      }
      entries.add(
          new ListedArchive.Entry(
              name.isEmpty() ? "file-" + (entries.size() + 1) : name, false, false, data));
    }
  }

  private static byte[] inflate(byte[] sis, int at, int length, long original, long[] budget)
      throws IOException {
    spend(budget, original);
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(sis, at, length);
      byte[] out = new byte[(int) original];
      int n = Inflating.fill(inflater, out);
      if (n < out.length) {
        throw new IOException("SIS: compressed file shorter than declared");
      }
      return out;
    } catch (DataFormatException e) {
      throw new IOException("SIS: compressed file corrupt", e);
    } finally {
      inflater.end();
    }
  }

  private static void spend(long[] budget, long bytes) throws AttachmentInspector.BombException {
    budget[0] -= bytes;
    if (budget[0] < 0) {
      throw new AttachmentInspector.BombException("SIS files expand past the archive limit");
    }
  }

  private static String name(byte[] sis, int length, int pointer, boolean unicode)
      throws IOException {
    if (length == 0) {
      return "";
    }
    if (length < 0 || length > MAX_NAME_BYTES) {
      throw new IOException("SIS: name length out of range");
    }
    int at = checked(sis, pointer, length);
    return new String(
        sis, at, length, unicode ? StandardCharsets.UTF_16LE : StandardCharsets.ISO_8859_1);
  }

  /** The offset, after checking that {@code length} bytes from it lie inside the file. */
  private static int checked(byte[] sis, int offset, int length) throws IOException {
    if (offset < 0 || length < 0 || (long) offset + length > sis.length) {
      throw new IOException("SIS: pointer out of range");
    }
    return offset;
  }
}
