package io.portcullis.filter.io;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Bytes written once and read any number of times: kept in memory up to a threshold, then in a file
 * inside a scan-private directory that {@link #close()} deletes. Not thread-safe while writing.
 */
public final class Spool extends OutputStream {

  private final Path dir;
  private final int memoryLimit;
  private byte[] buffer = new byte[256];
  private int count;
  private Path file;
  private OutputStream fileOut;
  private long size;
  private boolean closedForWrite;

  /**
   * @param dir the scan-private directory a file is created in once {@code memoryLimit} is passed
   * @param memoryLimit bytes kept on the heap before spilling to a file
   */
  public Spool(Path dir, int memoryLimit) {
    this.dir = dir;
    this.memoryLimit = memoryLimit;
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    if (closedForWrite) {
      throw new IOException("spool already sealed");
    }
    if (fileOut == null && count + len > memoryLimit) {
      if (!Files.isDirectory(dir)) {
        // createDirectory (not createDirectories): fails if someone else made the path first.
        Files.createDirectory(
            dir,
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
      }
      file = Files.createTempFile(dir, "spool", ".bin");
      fileOut = Files.newOutputStream(file, StandardOpenOption.WRITE);
      fileOut.write(buffer, 0, count);
      buffer = null;
    }
    if (fileOut != null) {
      fileOut.write(b, off, len);
    } else {
      if (count + len > buffer.length) {
        buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, count + len));
      }
      System.arraycopy(b, off, buffer, count, len);
      count += len;
    }
    size += len;
  }

  /** Ends writing; further writes fail. */
  public Spool seal() throws IOException {
    if (!closedForWrite) {
      closedForWrite = true;
      if (fileOut != null) {
        fileOut.close();
      }
    }
    return this;
  }

  /** Number of bytes written. */
  public long size() {
    return size;
  }

  /** A fresh stream over all bytes written. */
  public InputStream openStream() throws IOException {
    seal();
    if (file != null) {
      return new java.io.BufferedInputStream(Files.newInputStream(file), 65536);
    }
    return new ByteArrayInputStream(buffer, 0, count);
  }

  /** Random access to the bytes written (for formats with a central directory: 7z, OLE). */
  public SeekableByteChannel openChannel() throws IOException {
    seal();
    if (file != null) {
      return FileChannel.open(file, StandardOpenOption.READ);
    }
    return new SeekableInMemoryByteChannel(Arrays.copyOf(buffer, count));
  }

  /** A stream over at most the first {@code max} bytes, without copying when in memory. */
  public InputStream openPrefix(int max) throws IOException {
    seal();
    if (file != null) {
      try (InputStream in = Channels.newInputStream(FileChannel.open(file))) {
        return new ByteArrayInputStream(in.readNBytes(max));
      }
    }
    return new ByteArrayInputStream(buffer, 0, Math.min(count, max));
  }

  @Override
  public void close() throws IOException {
    seal();
    buffer = null;
    if (file != null) {
      Files.deleteIfExists(file);
      file = null;
    }
  }
}
