package io.portcullis.filter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builders for test messages and archives, all made in memory at test time. */
final class TestMessages {

  private TestMessages() {}

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The EICAR test string, assembled at run time so no source file contains it whole. */
  static byte[] eicar() {
    return String.join(
            "", "X5O!P%@AP[4\\PZX54(P^)7CC)7}$", "EICAR-STANDARD-ANTIVIRUS-", "TEST-FILE!$H+H*")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A zip with one entry whose bytes are given. */
  static byte[] zipOf(String name, byte[] content) {
    return SampleMessages.zip(java.util.Map.of(name, content));
  }

  /** A zip with one entry of {@code size} zero bytes (compresses about 1000:1). */
  static byte[] zeroZip(String name, int size) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry(name));
      byte[] zeros = new byte[1 << 16];
      for (int written = 0; written < size; written += zeros.length) {
        zip.write(zeros, 0, Math.min(zeros.length, size - written));
      }
      zip.closeEntry();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] attach(String fileName, String contentType, byte[] content) {
    return SampleMessages.withAttachment("Test", "See attachment.", fileName, contentType, content);
  }
}
