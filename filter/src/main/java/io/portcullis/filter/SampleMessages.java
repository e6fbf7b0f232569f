package io.portcullis.filter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The demo's sample messages: four hand-written .eml resources (plain, HTML newsletter, phishing,
 * spam) and two built here because they carry binary attachments made on the spot — a macro-enabled
 * Word document (a tiny OOXML package with a {@code vbaProject.bin} entry) and an executable in a
 * zip (a 64-byte PE header stub, not a program). Nothing here is harmful. Thread-safe.
 */
public final class SampleMessages {

  private static final String[] RESOURCES = {
    "plain.eml", "newsletter.eml", "phishing.eml", "spam.eml"
  };

  private SampleMessages() {}

  /** Every sample by file name, in a stable order. */
  public static Map<String, byte[]> all() {
    Map<String, byte[]> samples = new LinkedHashMap<>();
    for (String name : RESOURCES) {
      samples.put(name, resource(name));
    }
    samples.put("macro-document.eml", macroDocument());
    samples.put("executable-in-zip.eml", executableInZip());
    return samples;
  }

  static byte[] resource(String name) {
    try (InputStream in = SampleMessages.class.getResourceAsStream("samples/" + name)) {
      if (in == null) {
        throw new IllegalStateException("sample " + name + " missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A message with {@code Q3-report.docm}: an OOXML package holding a VBA project. */
  public static byte[] macroDocument() {
    byte[] docm =
        zip(
            Map.of(
                "[Content_Types].xml",
                ("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
                        + "<Override PartName=\"/word/vbaProject.bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>")
                    .getBytes(StandardCharsets.UTF_8),
                "word/document.xml",
                "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Enable content to view the report.</w:t></w:r></w:p></w:body></w:document>"
                    .getBytes(StandardCharsets.UTF_8),
                "word/vbaProject.bin",
                "not a real VBA project: the entry name is what marks the document"
                    .getBytes(StandardCharsets.US_ASCII)));
    return withAttachment(
        "Q3 report",
        "Please find the Q3 report attached. Enable editing and content to see the figures.",
        "Q3-report.docm",
        "application/vnd.ms-word.document.macroEnabled.12",
        docm);
  }

  /** A message with {@code invoice.zip} holding {@code invoice.pdf.exe}, a PE header stub. */
  public static byte[] executableInZip() {
    return withAttachment(
        "Invoice 2026-1187",
        "Your invoice is attached.",
        "invoice.zip",
        "application/zip",
        zip(Map.of("invoice.pdf.exe", peStub())));
  }

  /**
   * The first bytes of a Windows PE file (DOS header pointing at a PE signature); it runs nothing.
   */
  public static byte[] peStub() {
    byte[] pe = new byte[256];
    pe[0] = 'M';
    pe[1] = 'Z';
    pe[0x3C] = (byte) 0x80; // e_lfanew: the PE header starts at 0x80
    pe[0x80] = 'P';
    pe[0x81] = 'E';
    pe[0x84] = 0x4C; // IMAGE_FILE_MACHINE_I386
    pe[0x85] = 0x01;
    return pe;
  }

  /** A zip of the given entries (sorted by name for reproducible bytes). */
  public static byte[] zip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : new java.util.TreeSet<>(entries.keySet())) {
        ZipEntry e = new ZipEntry(name);
        e.setTime(1_700_000_000_000L);
        zip.putNextEntry(e);
        zip.write(entries.get(name));
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A multipart/mixed message with a text part and one base64 attachment, CRLF line endings. */
  public static byte[] withAttachment(
      String subject, String text, String fileName, String contentType, byte[] content) {
    String b64 =
        Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(content);
    String msg =
        "From: Accounts <accounts@example.net>\r\n"
            + "To: alice@example.org\r\n"
            + "Subject: "
            + subject
            + "\r\n"
            + "Date: Tue, 24 Nov 2026 09:00:00 +0000\r\n"
            + "Message-ID: <"
            + Integer.toHexString(fileName.hashCode())
            + "@example.net>\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
            + "\r\n"
            + "--b1\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n"
            + "\r\n"
            + text
            + "\r\n"
            + "--b1\r\n"
            + "Content-Type: "
            + contentType
            + "; name=\""
            + fileName
            + "\"\r\n"
            + "Content-Disposition: attachment; filename=\""
            + fileName
            + "\"\r\n"
            + "Content-Transfer-Encoding: base64\r\n"
            + "\r\n"
            + b64
            + "\r\n"
            + "--b1--\r\n";
    return msg.getBytes(StandardCharsets.UTF_8);
  }
}
