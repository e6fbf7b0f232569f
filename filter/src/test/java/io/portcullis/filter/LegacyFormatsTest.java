package io.portcullis.filter;

import static io.portcullis.filter.TestMessages.attach;
import static io.portcullis.filter.TestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.attachment.LegacyFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files hidden in formats older than ZIP, and mail sent as a file: SZDD/KWAJ, BinHex 4.0, uuencode,
 * Symbian SIS, PowerPoint embedded objects, .eml and mbox attachments. Every sample is built at
 * test time; the payload is an inert PE stub.
 */
class LegacyFormatsTest {

  @TempDir Path scratch;

  private Verdict analyze(byte[] message) {
    return analyze(message, FilterSettings.defaults());
  }

  private Verdict analyze(byte[] message, FilterSettings settings) {
    return MessageAnalyzer.create(settings.withScratchDir(scratch), Optional.empty())
        .analyze(new ByteArrayInputStream(message));
  }

  private static boolean executableNamed(Verdict v, String name) {
    return v.attachments().stream()
        .anyMatch(
            a ->
                a.fileName().equals(name)
                    && a.trueType().equals("application/x-msdownload")
                    && a.categories().contains("executable"));
  }

  private static boolean hasRule(Verdict v, String rule) {
    return v.findings().stream().anyMatch(f -> f.rule().equals(rule));
  }

  // ---- SZDD and KWAJ ----

  @Test
  void szddCompressedExecutableShouldBeExpandedAndFoundUnderItsOriginalName() {
    byte[] pe = SampleMessages.peStub();
    byte[] szdd = LegacyFiles.szdd(pe, pe.length);

    Verdict v = analyze(attach("setup.exe.szdd", "application/octet-stream", szdd));

    assertThat(executableNamed(v, "setup.exe")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void szddOfPlainTextShouldBeClean() {
    byte[] text = bytes("quarterly figures ".repeat(200));

    Verdict v =
        analyze(
            attach("report.tx_", "application/octet-stream", LegacyFiles.szdd(text, text.length)));

    assertThat(v.labels()).isEmpty();
    assertThat(hasRule(v, "unscannable-archive")).isFalse();
  }

  @Test
  void szddDeclaringAGigabyteShouldBeADecompressionBomb() {
    byte[] szdd = LegacyFiles.szdd(bytes("tiny"), 1 << 30);

    Verdict v = analyze(attach("data.szdd", "application/octet-stream", szdd));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  @Test
  void szddCutShortOfItsDeclaredLengthShouldBeMalformed() {
    byte[] pe = SampleMessages.peStub();
    byte[] szdd = LegacyFiles.szdd(pe, pe.length);
    byte[] truncated = java.util.Arrays.copyOf(szdd, szdd.length / 2);

    Verdict v = analyze(attach("setup.szdd", "application/octet-stream", truncated));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  @Test
  void kwajStoredXoredAndLzssExecutablesShouldAllBeFound() {
    for (int method = 0; method <= 2; method++) {
      byte[] kwaj = LegacyFiles.kwaj("update", "exe", method, SampleMessages.peStub());

      Verdict v = analyze(attach("update.ex_", "application/octet-stream", kwaj));

      assertThat(executableNamed(v, "update.exe")).as("method %d", method).isTrue();
    }
  }

  @Test
  void kwajMszipOfSeveralBlocksShouldBeExpandedWithTheWindowCarriedOver() {
    // 100 KB of repeated text: later blocks refer back into earlier ones through the dictionary.
    byte[] pe = SampleMessages.peStub();
    byte[] data = java.util.Arrays.copyOf(pe, 100_000);
    byte[] text = bytes("quarterly report, page ".repeat(5_000));
    System.arraycopy(text, 0, data, pe.length, data.length - pe.length);
    byte[] kwaj = LegacyFiles.kwaj("report", "exe", 4, data);

    Verdict v = analyze(attach("report.ex_", "application/octet-stream", kwaj));

    assertThat(executableNamed(v, "report.exe")).isTrue();
    assertThat(hasRule(v, "unscannable-archive")).isFalse();
  }

  @Test
  void kwajMszipBlockWithoutItsSignatureShouldBeMalformed() {
    byte[] kwaj = LegacyFiles.kwaj("report", "exe", 4, SampleMessages.peStub());
    int signature = kwaj.length - 2 - 1; // find "CK" from the start of the data instead
    for (int i = 14; i < kwaj.length - 1; i++) {
      if (kwaj[i] == 'C' && kwaj[i + 1] == 'K') {
        signature = i;
        break;
      }
    }
    kwaj[signature] = 'X';

    Verdict v = analyze(attach("report.ex_", "application/octet-stream", kwaj));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  @Test
  void kwajWithLzhCompressionShouldBeJudgedByNameAndReportedUnscanned() {
    byte[] kwaj = LegacyFiles.kwaj("update", "exe", 3, bytes("opaque lzh bits"));

    Verdict v = analyze(attach("update.ex_", "application/octet-stream", kwaj));

    assertThat(hasRule(v, "unscannable-archive")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT); // by the name update.exe
  }

  // ---- BinHex 4.0 ----

  @Test
  void binHexEncodedExecutableShouldBeDecodedAndFoundUnderTheHeaderName() {
    byte[] pe = SampleMessages.peStub(); // long runs of zeros exercise the 0x90 encoding
    byte[] hqx = LegacyFiles.binHexText(LegacyFiles.binHexStream("Invoice.exe", pe, pe.length));

    Verdict v = analyze(attach("invoice.hqx", "application/mac-binhex40", hqx));

    assertThat(executableNamed(v, "Invoice.exe")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void binHexOfTextShouldBeClean() {
    byte[] text = bytes("minutes of the meeting\r\n");
    byte[] hqx = LegacyFiles.binHexText(LegacyFiles.binHexStream("minutes.txt", text, text.length));

    Verdict v = analyze(attach("minutes.hqx", "application/octet-stream", hqx));

    assertThat(v.labels()).isEmpty();
  }

  @Test
  void binHexWithACorruptedDataForkShouldBeMalformed() {
    byte[] pe = SampleMessages.peStub();
    byte[] stream = LegacyFiles.binHexStream("a.exe", pe, pe.length);
    stream[stream.length - 20] ^= 0x55; // inside the data fork: its CRC no longer matches

    Verdict v =
        analyze(attach("a.hqx", "application/octet-stream", LegacyFiles.binHexText(stream)));

    assertThat(v.labels()).contains(Label.MALFORMED);
    assertThat(hasRule(v, "attachment-unreadable")).isTrue();
  }

  @Test
  void binHexCutOffBeforeItsClosingColonShouldBeMalformed() {
    byte[] pe = SampleMessages.peStub();
    byte[] hqx = LegacyFiles.binHexText(LegacyFiles.binHexStream("a.exe", pe, pe.length));
    byte[] truncated = java.util.Arrays.copyOf(hqx, hqx.length - 40);

    Verdict v = analyze(attach("a.hqx", "application/octet-stream", truncated));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  @Test
  void binHexWhoseHeaderClaimsAGigabyteDataForkShouldBeADecompressionBomb() {
    byte[] stream = LegacyFiles.binHexStream("a.exe", bytes("MZ"), 1L << 30);

    Verdict v =
        analyze(attach("a.hqx", "application/octet-stream", LegacyFiles.binHexText(stream)));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  // ---- uuencode ----

  @Test
  void uuencodedPartShouldBeDecodedAndItsFileInspected() {
    String uu = LegacyFiles.uuencode("payload.exe", SampleMessages.peStub());

    Verdict v = analyze(attach("payload.uue", "application/octet-stream", bytes(uu)));

    assertThat(executableNamed(v, "payload.exe")).isTrue();
  }

  @Test
  void uuencodedBlockCutOffMidwayShouldBeMalformed() {
    String uu = LegacyFiles.uuencode("payload.exe", SampleMessages.peStub());
    String truncated = uu.substring(0, uu.indexOf("\r\n", 200));

    Verdict v = analyze(attach("payload.uue", "application/octet-stream", bytes(truncated)));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  // ---- Symbian SIS ----

  @Test
  void symbianInstallerShouldBeExecutableAndItsCompressedFilesInspected() {
    byte[] pe = SampleMessages.peStub();
    byte[] sis = LegacyFiles.sis("!:\\system\\apps\\game\\loader.exe", pe, false, pe.length);

    Verdict v = analyze(attach("game.sis", "application/octet-stream", sis));

    assertThat(executableNamed(v, "loader.exe")).isTrue();
    assertThat(hasRule(v, "archive-path-traversal")).isFalse(); // install paths are absolute
    assertThat(v.attachments().get(v.attachments().size() - 1).categories()).contains("executable");
  }

  @Test
  void symbianInstallerWithNoCompressOptionShouldHaveItsStoredFilesInspected() {
    byte[] pe = SampleMessages.peStub();
    byte[] sis = LegacyFiles.sis("!:\\loader.exe", pe, true, pe.length);

    Verdict v = analyze(attach("game.sis", "application/octet-stream", sis));

    assertThat(executableNamed(v, "loader.exe")).isTrue();
  }

  @Test
  void symbianInstallerDeclaringAGigabyteFileShouldBeADecompressionBomb() {
    byte[] sis = LegacyFiles.sis("!:\\a.txt", bytes("tiny"), false, 1L << 30);

    Verdict v = analyze(attach("game.sis", "application/octet-stream", sis));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  @Test
  void symbianInstallerWithAFilePointerPastTheEndShouldBeMalformed() {
    byte[] sis = LegacyFiles.sis("!:\\a.exe", SampleMessages.peStub(), true, 256);
    java.nio.ByteBuffer.wrap(sis)
        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
        .putInt(100 + 32, sis.length);

    Verdict v = analyze(attach("game.sis", "application/octet-stream", sis));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  // ---- PowerPoint embedded objects ----

  private static byte[] pptWithObject(byte[] storage, long declared, boolean compress) {
    return OleFiles.withStreamData(
        "PowerPoint Document", LegacyFiles.pptDocumentStream(storage, declared, compress));
  }

  @Test
  void powerPointWithACompressedPackagedExecutableShouldBeDangerous() {
    byte[] storage =
        OleFiles.withStreamData(
            "\u0001Ole10Native", LegacyFiles.ole10Native("clam.exe", SampleMessages.peStub()));

    Verdict v =
        analyze(
            attach(
                "slides.ppt",
                "application/vnd.ms-powerpoint",
                pptWithObject(storage, storage.length, true)));

    assertThat(executableNamed(v, "clam.exe")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void powerPointWithAnUncompressedPackagedExecutableShouldBeDangerous() {
    byte[] storage =
        OleFiles.withStreamData(
            "\u0001Ole10Native", LegacyFiles.ole10Native("run.exe", SampleMessages.peStub()));

    Verdict v =
        analyze(attach("slides.ppt", "application/octet-stream", pptWithObject(storage, 0, false)));

    assertThat(executableNamed(v, "run.exe")).isTrue();
  }

  @Test
  void powerPointWithAnEmbeddedTextPackageShouldBeClean() {
    byte[] storage =
        OleFiles.withStreamData(
            "\u0001Ole10Native", LegacyFiles.ole10Native("notes.txt", bytes("speaker notes")));

    Verdict v =
        analyze(
            attach(
                "slides.ppt",
                "application/vnd.ms-powerpoint",
                pptWithObject(storage, storage.length, true)));

    assertThat(v.labels()).isEmpty();
  }

  @Test
  void powerPointObjectDeclaringAGigabyteShouldBeADecompressionBomb() {
    byte[] storage = OleFiles.withStreams("Contents");

    Verdict v =
        analyze(
            attach(
                "slides.ppt",
                "application/vnd.ms-powerpoint",
                pptWithObject(storage, 1L << 30, true)));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  // ---- mail sent as a file ----

  private static byte[] mailWithExecutable() {
    return SampleMessages.withAttachment(
        "inner", "see the file", "setup.exe", "application/octet-stream", SampleMessages.peStub());
  }

  @Test
  void emlAttachedAsOctetStreamShouldBeWalkedAndItsExecutableFound() {
    Verdict v = analyze(attach("forward.eml", "application/octet-stream", mailWithExecutable()));

    assertThat(executableNamed(v, "setup.exe")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void emlDeclaredMessageRfc822ButBase64EncodedShouldBeWalkedAndItsExecutableFound() {
    // RFC 2046 §5.2.1 forbids base64 for message/rfc822; clients send it anyway.
    Verdict v = analyze(attach("forward.eml", "message/rfc822", mailWithExecutable()));

    assertThat(executableNamed(v, "setup.exe")).isTrue();
  }

  @Test
  void emlWithOnlyTextAttachedAsOctetStreamShouldBeClean() {
    byte[] inner =
        SampleMessages.withAttachment("inner", "hello", "notes.txt", "text/plain", bytes("notes"));

    Verdict v = analyze(attach("forward.eml", "application/octet-stream", inner));

    assertThat(v.labels()).isEmpty();
  }

  @Test
  void mboxWhoseSecondMessageCarriesAnExecutableShouldBeFlagged() {
    byte[] first = SampleMessages.withAttachment("one", "hi", "a.txt", "text/plain", bytes("a"));
    String mbox =
        "From alice@example.org Tue Nov 24 09:00:00 2026\r\n"
            + new String(first, StandardCharsets.ISO_8859_1)
            + "\r\nFrom bob@example.org Tue Nov 24 09:01:00 2026\r\n"
            + new String(mailWithExecutable(), StandardCharsets.ISO_8859_1);

    Verdict v =
        analyze(
            attach(
                "archive.mbox",
                "application/octet-stream",
                mbox.getBytes(StandardCharsets.ISO_8859_1)));

    assertThat(executableNamed(v, "setup.exe")).isTrue();
    assertThat(v.findings()).anySatisfy(f -> assertThat(f.location()).contains("mbox message 2"));
  }

  @Test
  void mailWithAnXUuencodePartShouldHaveItsFileDecoded() {
    String mail =
        "From: a@example.org\r\nSubject: file\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: application/octet-stream; name=\"tool.exe\"\r\n"
            + "Content-Transfer-Encoding: x-uuencode\r\n\r\n"
            + LegacyFiles.uuencode("tool.exe", SampleMessages.peStub());

    Verdict v = analyze(attach("fwd.eml", "application/octet-stream", bytes(mail)));

    assertThat(executableNamed(v, "tool.exe")).isTrue();
  }

  @Test
  void mailSentAsAFileShouldBeWalkedWithTheConfiguredMimeLimits() {
    StringBuilder inner =
        new StringBuilder(
            "From: a@example.org\r\nSubject: many\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for (int i = 0; i < 6; i++) {
      inner.append("--b\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
    }
    inner.append("--b--\r\n");
    byte[] outer = attach("forward.eml", "application/octet-stream", bytes(inner.toString()));
    io.portcullis.filter.mime.MimeLimits d = io.portcullis.filter.mime.MimeLimits.defaults();
    FilterSettings fourParts = // enough for the outer message, too few for the one inside
        FilterSettings.defaults()
            .withMimeLimits(
                new io.portcullis.filter.mime.MimeLimits(
                    d.maxMessageBytes(),
                    d.maxNestingDepth(),
                    4,
                    d.maxHeaderBytes(),
                    d.maxHeaderCount(),
                    d.maxFieldBytes(),
                    d.maxLineLength(),
                    d.maxTextChars()));

    assertThat(analyze(outer).findings())
        .noneSatisfy(f -> assertThat(f.rule()).contains("complex"));
    assertThat(analyze(outer, fourParts).findings())
        .anySatisfy(f -> assertThat(f.rule()).contains("complex"));
  }

  @Test
  void mailNestedInMailBeyondTheArchiveDepthShouldBeADecompressionBomb() {
    byte[] message = mailWithExecutable();
    for (int i = 0; i < 12; i++) {
      message = attach("level" + i + ".eml", "application/octet-stream", message);
    }

    Verdict v = analyze(message);

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
  }

  private static byte[] plainMessage(String body) {
    return bytes(
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
            + body);
  }

  @Test
  void executableUuencodedIntoThePlainTextBodyShouldBeFound() {
    String body =
        "Here is the tool you asked for.\r\n\r\n"
            + LegacyFiles.uuencode("tool.exe", SampleMessages.peStub())
            + "\r\nRegards\r\n";

    Verdict v = analyze(plainMessage(body));

    assertThat(executableNamed(v, "tool.exe")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void bodyTextWithLinesStartingWithBeginShouldNotBecomeAnAttachment() {
    Verdict v = analyze(plainMessage("begin 10 minutes late\r\nbegin 0800 meeting moved\r\n"));

    assertThat(v.attachments()).isEmpty();
    assertThat(v.labels()).isEmpty();
  }
}
