package io.portcullis.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.Random;

/**
 * Writes a reproducible Maildir (same seed, same bytes) of mixed messages: mostly small plain text,
 * some HTML, some with a PDF-like or ZIP-like base64 attachment, a few of 1–2 MB — the mix a
 * mailbox that POP3 users download in one go tends to have. Not thread-safe.
 */
final class MaildirGenerator {
  private static final String WORDS =
      "the quarterly report meeting invoice attached please review schedule project update"
          + " budget deadline customer order shipment thanks regards team office network";

  private final Random random;
  private final String copyTag;
  private final String[] words = WORDS.split(" ");

  MaildirGenerator(long seed) {
    this(seed, null);
  }

  /**
   * With a {@code copyTag}, every message carries an {@code X-Bench-Copy} header naming it: the
   * same mail as without, but with other bytes, so a filter that caches verdicts by digest scans
   * each copy afresh (the bench gives each filtered session series its own copy).
   */
  MaildirGenerator(long seed, String copyTag) {
    if (copyTag != null && !copyTag.matches("[A-Za-z0-9-]{1,32}")) {
      throw new IllegalArgumentException("copy tag: 1 to 32 letters, digits or hyphens");
    }
    this.random = new Random(seed);
    this.copyTag = copyTag;
  }

  /** Creates {@code dir/{cur,new,tmp}} and {@code count} messages in {@code cur}; returns bytes. */
  long write(Path dir, int count) throws IOException {
    for (String sub : new String[] {"cur", "new", "tmp"}) {
      Files.createDirectories(dir.resolve(sub));
    }
    long total = 0;
    ZonedDateTime date = ZonedDateTime.of(2026, 1, 5, 9, 0, 0, 0, ZoneOffset.UTC);
    for (int i = 1; i <= count; i++) {
      int kind = random.nextInt(100);
      String message;
      if (kind < 60) {
        message = plain(i, date, 2_000 + random.nextInt(6_000));
      } else if (kind < 85) {
        message = html(i, date, 10_000 + random.nextInt(50_000));
      } else if (kind < 95) {
        message = attachment(i, date, 100_000 + random.nextInt(300_000));
      } else {
        message = attachment(i, date, 1_000_000 + random.nextInt(1_000_000));
      }
      byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
      // Dovecot's maildir names: unique base, S= size for cheap STAT/LIST, :2,S = seen.
      String name =
          String.format(
              Locale.ROOT,
              "%d.M%dP1.bench,S=%d,W=%d:2,S",
              1767600000 + i,
              i,
              bytes.length,
              bytes.length);
      Files.write(dir.resolve("cur").resolve(name), bytes);
      total += bytes.length;
      date = date.plusMinutes(7);
    }
    return total;
  }

  private String headers(int i, ZonedDateTime date, String subject, String contentType) {
    return "Return-Path: <sender"
        + (i % 17)
        + "@example.net>\r\n"
        + "From: Sender "
        + (i % 17)
        + " <sender"
        + (i % 17)
        + "@example.net>\r\n"
        + "To: Bench User <bench@example.org>\r\n"
        + "Subject: "
        + subject
        + " #"
        + i
        + "\r\n"
        + "Date: "
        + DateTimeFormatter.RFC_1123_DATE_TIME.format(date)
        + "\r\n"
        + "Message-ID: <bench-"
        + i
        + "@example.net>\r\n"
        + (copyTag == null ? "" : "X-Bench-Copy: " + copyTag + "\r\n")
        + "MIME-Version: 1.0\r\n"
        + "Content-Type: "
        + contentType
        + "\r\n";
  }

  private String text(int bytes) {
    StringBuilder out = new StringBuilder(bytes + 100);
    int line = 0;
    while (out.length() < bytes) {
      String w = words[random.nextInt(words.length)];
      if (line + w.length() + 1 > 72) {
        out.append("\r\n");
        line = 0;
        // A leading dot now and then, so POP3 dot-stuffing is exercised (RFC 1939 §3).
        if (random.nextInt(40) == 0) {
          out.append(". ");
          line = 2;
        }
      }
      out.append(w).append(' ');
      line += w.length() + 1;
    }
    return out.append("\r\n").toString();
  }

  private String plain(int i, ZonedDateTime date, int size) {
    return headers(i, date, "Plain text", "text/plain; charset=us-ascii") + "\r\n" + text(size);
  }

  private String html(int i, ZonedDateTime date, int size) {
    String boundary = "alt-" + i;
    String body = text(size / 2);
    return headers(i, date, "Newsletter", "multipart/alternative; boundary=\"" + boundary + "\"")
        + "\r\n--"
        + boundary
        + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + body
        + "--"
        + boundary
        + "\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<html><body><p>"
        + body.replace("\r\n", "</p>\r\n<p>")
        + "</p></body></html>\r\n--"
        + boundary
        + "--\r\n";
  }

  private String attachment(int i, ZonedDateTime date, int size) {
    String boundary = "mix-" + i;
    byte[] payload = new byte[size * 3 / 4];
    random.nextBytes(payload);
    boolean pdf = random.nextBoolean();
    byte[] magic = (pdf ? "%PDF-1.7\n" : "PK\u0003\u0004").getBytes(StandardCharsets.ISO_8859_1);
    System.arraycopy(magic, 0, payload, 0, magic.length);
    String encoded =
        Base64.getMimeEncoder(76, "\r\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(payload);
    return headers(i, date, "Documents", "multipart/mixed; boundary=\"" + boundary + "\"")
        + "\r\n--"
        + boundary
        + "\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        + text(600)
        + "--"
        + boundary
        + "\r\nContent-Type: "
        + (pdf ? "application/pdf" : "application/zip")
        + "; name=\"report-"
        + i
        + (pdf ? ".pdf" : ".zip")
        + "\"\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment\r\n\r\n"
        + encoded
        + "\r\n--"
        + boundary
        + "--\r\n";
  }
}
