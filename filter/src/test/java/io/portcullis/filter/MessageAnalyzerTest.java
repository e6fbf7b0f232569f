package io.portcullis.filter;

import static io.portcullis.filter.TestMessages.attach;
import static io.portcullis.filter.TestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.attachment.ArchiveLimits;
import io.portcullis.filter.mime.MimeLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageAnalyzerTest {

  @TempDir Path scratch;

  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));

  private MessageAnalyzer analyzer() {
    return analyzer(FilterSettings.defaults());
  }

  private MessageAnalyzer analyzer(FilterSettings settings) {
    return MessageAnalyzer.create(
        settings.withScratchDir(scratch).withClock(clock), Optional.empty());
  }

  private Verdict analyze(byte[] message) {
    return analyzer().analyze(new ByteArrayInputStream(message));
  }

  @Test
  void plainMessageShouldBeCleanAndCarryItsSha256() throws Exception {
    byte[] plain = SampleMessages.all().get("plain.eml");

    Verdict v = analyze(plain);

    assertThat(v.labels()).isEmpty();
    assertThat(v.sha256())
        .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(plain)));
  }

  @Test
  void newsletterShouldNotBeFlagged() {
    assertThat(analyze(SampleMessages.all().get("newsletter.eml")).labels()).isEmpty();
  }

  @Test
  void phishingSampleShouldBeLabelledPhishingWithExplainedLinkAndSenderFindings() {
    Verdict v = analyze(SampleMessages.all().get("phishing.eml"));

    assertThat(v.labels()).contains(Label.PHISHING);
    assertThat(v.findings())
        .extracting(Finding::rule)
        .contains(
            "from-display-name-spoof",
            "link-text-domain-mismatch",
            "link-ip-address",
            "phishing-phrase");
  }

  @Test
  void spamSampleShouldReachTheSpamThresholdOnRulesAlone() {
    Verdict v = analyze(SampleMessages.all().get("spam.eml"));

    assertThat(v.labels()).contains(Label.SPAM);
    assertThat(v.score()).isGreaterThanOrEqualTo(5.0);
    assertThat(v.findings())
        .extracting(Finding::rule)
        .contains("link-shortener", "html-hidden-text");
  }

  @Test
  void executableInZipShouldBeDangerousByTrueTypeAndDoubleExtension() {
    Verdict v = analyze(SampleMessages.executableInZip());

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    AttachmentInfo exe =
        v.attachments().stream()
            .filter(a -> a.fileName().equals("invoice.pdf.exe"))
            .findFirst()
            .orElseThrow();
    assertThat(exe.trueType()).isIn("application/x-dosexec", "application/x-msdownload");
    assertThat(exe.categories()).contains("executable", "double-extension");
    assertThat(exe.partPath()).isEqualTo("2");
    assertThat(v.findings())
        .anySatisfy(f -> assertThat(f.location()).contains("'invoice.zip' > 'invoice.pdf.exe'"));
  }

  @Test
  void executableRenamedToJpegShouldBeAMismatch() {
    Verdict v = analyze(attach("holiday.jpg", "image/jpeg", SampleMessages.peStub()));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments().get(0).categories()).contains("executable", "mismatch");
  }

  @Test
  void macroDocumentShouldBeLabelledMacroWithItsTrueType() {
    Verdict v = analyze(SampleMessages.macroDocument());

    assertThat(v.labels()).contains(Label.MACRO, Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments().get(0).trueType())
        .isEqualTo("application/vnd.ms-word.document.macroenabled.12");
  }

  @Test
  void docxWithoutMacrosShouldBeClean() {
    byte[] docx =
        SampleMessages.zip(
            java.util.Map.of(
                "[Content_Types].xml", bytes("<Types/>"),
                "word/document.xml", bytes("<w:document/>")));
    Verdict v =
        analyze(
            attach(
                "report.docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                docx));

    assertThat(v.labels()).isEmpty();
    assertThat(v.attachments().get(0).trueType())
        .isEqualTo("application/vnd.openxmlformats-officedocument.wordprocessingml.document");
  }

  @Test
  void oleDocumentWithVbaStorageShouldBeLabelledMacro() {
    Verdict v =
        analyze(
            attach("old.doc", "application/msword", OleFiles.wordWithStorages("Macros", "VBA")));

    assertThat(v.labels()).contains(Label.MACRO);
    assertThat(v.attachments().get(0).trueType()).isEqualTo("application/msword");
  }

  @Test
  void encryptedOoxmlPackageShouldBeLabelledEncrypted() {
    Verdict v =
        analyze(
            attach(
                "secret.docx",
                "application/octet-stream",
                OleFiles.withStreams("EncryptionInfo", "EncryptedPackage")));

    assertThat(v.labels()).contains(Label.ENCRYPTED);
  }

  @Test
  void encryptedZipMemberShouldBeLabelledEncryptedAndJudgedByName() throws IOException {
    Verdict v =
        analyze(attach("locked.zip", "application/zip", EncryptedZip.withEntry("payload.exe")));

    assertThat(v.labels()).contains(Label.ENCRYPTED, Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments()).anySatisfy(a -> assertThat(a.fileName()).isEqualTo("payload.exe"));
  }

  @Test
  void zipBombShouldBeADecompressionBombFindingNotAnOutOfMemory() {
    byte[] bomb = TestMessages.zeroZip("zeros.bin", 10 << 20);

    Verdict v = analyze(attach("bomb.zip", "application/zip", bomb));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
    assertThat(v.findings()).anySatisfy(f -> assertThat(f.reason()).contains("ratio"));
  }

  @Test
  void archivesNestedPastTheDepthLimitShouldBeADecompressionBomb() {
    byte[] inner = bytes("hello");
    String name = "hello.txt";
    for (int i = 0; i < 12; i++) {
      inner = TestMessages.zipOf(name, inner);
      name = "level" + i + ".zip";
    }

    Verdict v = analyze(attach(name, "application/zip", inner));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
    assertThat(v.findings())
        .anySatisfy(f -> assertThat(f.reason()).contains("nested deeper than 10"));
  }

  @Test
  void tooManyArchiveMembersShouldBeADecompressionBomb() {
    java.util.Map<String, byte[]> entries = new java.util.HashMap<>();
    for (int i = 0; i < 60; i++) {
      entries.put("f" + i + ".txt", bytes("x"));
    }
    FilterSettings settings =
        FilterSettings.defaults()
            .withArchiveLimits(new ArchiveLimits(10, 50, 400L << 20, 100, 1L << 20));

    Verdict v =
        analyzer(settings)
            .analyze(
                new ByteArrayInputStream(
                    attach("many.zip", "application/zip", SampleMessages.zip(entries))));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  @Test
  void zipSlipMemberNameShouldBeAFinding() {
    Verdict v =
        analyze(
            attach(
                "update.zip",
                "application/zip",
                TestMessages.zipOf("../../etc/cron.d/job", bytes("* * * * * root true"))));

    assertThat(v.findings()).extracting(Finding::rule).contains("archive-path-traversal");
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void eicarInAZipShouldBeDangerous() {
    Verdict v =
        analyze(
            attach(
                "test.zip",
                "application/zip",
                TestMessages.zipOf("eicar.txt", TestMessages.eicar())));

    assertThat(v.findings()).extracting(Finding::rule).contains("eicar-test-signature");
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void tarGzipShouldBeInspectedRecursively() throws IOException {
    byte[] tgz = Archives.tarGz("bin/run.sh.exe", SampleMessages.peStub());

    Verdict v = analyze(attach("bundle.tar.gz", "application/gzip", tgz));

    assertThat(v.attachments())
        .anySatisfy(a -> assertThat(a.fileName()).isEqualTo("bin/run.sh.exe"));
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void pdfWithHexEscapedJavaScriptNameShouldBePdfActive() {
    byte[] pdf =
        bytes(
            "%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n2 0 obj << /S /J#61vaScript /JS (app.alert(1)) >> endobj\n%%EOF\n");

    Verdict v = analyze(attach("statement.pdf", "application/pdf", pdf));

    assertThat(v.attachments().get(0).categories()).contains("pdf-active");
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void plainPdfShouldBeClean() {
    byte[] pdf = bytes("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n");

    assertThat(analyze(attach("statement.pdf", "application/pdf", pdf)).labels()).isEmpty();
  }

  @Test
  void htmlAttachmentSmugglingABlobShouldBeDangerous() {
    String blob = "TVqQAAMAAAAEAAAA".repeat(2000);
    byte[] html =
        bytes(
            "<html><body><script>var b=atob('"
                + blob
                + "');var u=URL.createObjectURL(new Blob([b]));var a=document.createElement('a');a.href=u;a.download='doc.exe';a.click();</script></body></html>");

    Verdict v = analyze(attach("document.html", "text/html", html));

    assertThat(v.attachments().get(0).categories()).contains("html-smuggling");
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void rightToLeftOverrideInAnRfc2231NameShouldBeDeceptive() {
    String msg =
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: t\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\nMessage-ID: <x@example.org>\r\n"
            + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + "Content-Disposition: attachment; filename*0*=utf-8''invoice%E2%80%AE; filename*1=fdp.txt\r\n\r\nhello\r\n--b--\r\n";

    Verdict v = analyze(bytes(msg));

    assertThat(v.attachments().get(0).fileName()).isEqualTo("invoice\u202Efdp.txt");
    assertThat(v.attachments().get(0).categories()).contains("deceptive-name");
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void rfc2047EncodedFileNameShouldBeDecoded() {
    String msg =
        "From: a@example.org\r\nSubject: t\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
            + "Content-Type: application/octet-stream; name=\"=?UTF-8?B?cmFwcG9ydC5leGU=?=\"\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n--b--\r\n";

    Verdict v = analyze(bytes(msg));

    assertThat(v.attachments().get(0).fileName()).isEqualTo("rapport.exe");
    assertThat(v.attachments().get(0).categories()).contains("executable");
  }

  @Test
  void mimeNestingPastTheLimitShouldBeTooComplexWithinBoundedTime() {
    StringBuilder msg = new StringBuilder("From: a@example.org\r\nMIME-Version: 1.0\r\n");
    for (int i = 0; i < 150; i++) {
      msg.append("Content-Type: multipart/mixed; boundary=\"b")
          .append(i)
          .append("\"\r\n\r\n--b")
          .append(i)
          .append("\r\n");
    }
    msg.append("Content-Type: text/plain\r\n\r\ndeep\r\n");

    Verdict v = analyze(bytes(msg.toString()));

    assertThat(v.labels()).contains(Label.MALFORMED);
    assertThat(v.findings())
        .anySatisfy(f -> assertThat(f.reason()).contains("nesting deeper than 100"));
  }

  @Test
  void morePartsThanTheLimitShouldBeTooComplex() {
    StringBuilder msg =
        new StringBuilder(
            "From: a@example.org\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
    for (int i = 0; i < 30; i++) {
      msg.append("--b\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
    }
    msg.append("--b--\r\n");
    MimeLimits d = MimeLimits.defaults();
    FilterSettings settings =
        FilterSettings.defaults()
            .withMimeLimits(
                new MimeLimits(
                    d.maxMessageBytes(),
                    d.maxNestingDepth(),
                    20,
                    d.maxHeaderBytes(),
                    d.maxHeaderCount(),
                    d.maxFieldBytes(),
                    d.maxLineLength(),
                    d.maxTextChars()));

    Verdict v = analyzer(settings).analyze(new ByteArrayInputStream(bytes(msg.toString())));

    assertThat(v.findings()).anySatisfy(f -> assertThat(f.reason()).contains("more than 20 parts"));
  }

  @Test
  void hundredThousandAddressHeadersShouldBeTooComplexNotAHang() {
    StringBuilder msg = new StringBuilder("From: a@example.org\r\n");
    for (int i = 0; i < 100_000; i++) {
      msg.append("To: user").append(i).append("@example.org\r\n");
    }
    msg.append("\r\nbody\r\n");

    Verdict v = analyze(bytes(msg.toString()));

    assertThat(v.labels()).contains(Label.MALFORMED);
    assertThat(v.findings()).extracting(Finding::rule).contains("mime-too-complex");
  }

  @Test
  void randomBytesShouldNeverThrow() {
    byte[] junk = new byte[200_000];
    new Random(42).nextBytes(junk);

    Verdict v = analyze(junk);

    assertThat(v.sha256()).hasSize(64);
  }

  @Test
  void aStreamThatFailsMidwayShouldBeAScanErrorNotAPass() {
    InputStream failing =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 100) {
              throw new IOException("connection reset");
            }
            return 'a';
          }
        };

    Verdict v = analyzer().analyze(failing);

    assertThat(v.labels()).containsExactly(Label.SCAN_ERROR);
  }

  @Test
  void messageOverTheSizeLimitShouldSayOnlyAPrefixWasAnalysed() {
    MimeLimits d = MimeLimits.defaults();
    FilterSettings settings =
        FilterSettings.defaults()
            .withMimeLimits(
                new MimeLimits(
                    1000,
                    d.maxNestingDepth(),
                    d.maxParts(),
                    d.maxHeaderBytes(),
                    d.maxHeaderCount(),
                    d.maxFieldBytes(),
                    d.maxLineLength(),
                    d.maxTextChars()));
    byte[] big = bytes("From: a@example.org\r\n\r\n" + "x".repeat(5000));

    Verdict v = analyzer(settings).analyze(new ByteArrayInputStream(big));

    assertThat(v.findings()).extracting(Finding::rule).contains("message-too-large");
  }

  @Test
  void aRefetchedMessageShouldComeFromTheCacheUntilTheTtlPasses() {
    MessageAnalyzer analyzer =
        analyzer(FilterSettings.defaults().withVerdictCache(100, Duration.ofMinutes(10)));
    byte[] plain = SampleMessages.all().get("plain.eml");

    Verdict first = analyzer.analyze(new ByteArrayInputStream(plain));
    Verdict second = analyzer.analyze(new ByteArrayInputStream(plain));
    clock.advance(Duration.ofMinutes(11));
    Verdict third = analyzer.analyze(new ByteArrayInputStream(plain));

    assertThat(second).isSameAs(first);
    assertThat(third).isNotSameAs(first).isEqualTo(first);
  }

  @Test
  void largeAttachmentsShouldSpillOnlyIntoTheScratchDirectoryAndBeCleanedUp() throws IOException {
    byte[] big = new byte[6 << 20];
    new Random(1).nextBytes(big);

    analyze(attach("data.bin", "application/octet-stream", big));

    try (var left = Files.list(scratch)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void authenticationResultsShouldCountOnlyFromATrustedAuthservId() {
    String msg =
        "Authentication-Results: forged.example; dmarc=fail header.from=bank.example\r\n"
            + "From: Bank <alerts@bank.example>\r\nTo: a@example.org\r\nSubject: hello\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\nMessage-ID: <1@bank.example>\r\n\r\nhi\r\n";
    String trusted =
        "Authentication-Results: mx.example.com; spf=fail smtp.mailfrom=bank.example; dmarc=fail header.from=bank.example\r\n"
            + msg;

    Verdict untrusted =
        analyzer(
                FilterSettings.defaults()
                    .withTrustedAuthservIds(java.util.Set.of("mx.example.com")))
            .analyze(new ByteArrayInputStream(bytes(msg)));
    Verdict fromOurMx =
        analyzer(
                FilterSettings.defaults()
                    .withTrustedAuthservIds(java.util.Set.of("mx.example.com")))
            .analyze(new ByteArrayInputStream(bytes(trusted)));

    assertThat(untrusted.findings()).extracting(Finding::rule).doesNotContain("auth-dmarc-fail");
    assertThat(fromOurMx.findings())
        .extracting(Finding::rule)
        .contains("auth-dmarc-fail", "auth-spf-fail");
  }

  /** A clock tests move by hand. */
  static final class MutableClock extends java.time.Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
