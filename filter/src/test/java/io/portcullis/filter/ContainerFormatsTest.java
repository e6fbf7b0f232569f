package io.portcullis.filter;

import static io.portcullis.filter.TestMessages.attach;
import static io.portcullis.filter.TestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Containers read by the module's own code: XLM macro sheets, PDF embedded files, RTF objects,
 * TNEF, RAR, CAB and ARJ. Every sample is built at test time; the "payload" is an inert PE stub or
 * text.
 */
class ContainerFormatsTest {

  @TempDir Path scratch;

  private Verdict analyze(byte[] message) {
    return MessageAnalyzer.create(
            FilterSettings.defaults().withScratchDir(scratch), Optional.empty())
        .analyze(new ByteArrayInputStream(message));
  }

  private static boolean hasFinding(Verdict v, String rule, String reasonPart) {
    return v.findings().stream()
        .anyMatch(
            f ->
                f.rule().equals(rule)
                    && (f.reason().contains(reasonPart) || f.location().contains(reasonPart)));
  }

  // ---- Excel 4.0 (XLM) macros ----

  @Test
  void xlsWithAVeryHiddenExcel4MacroSheetShouldBeLabelledMacro() {
    byte[] xls =
        OleFiles.withStreamData("Workbook", Containers.workbookWithMacroSheet("Auto_Open"));

    Verdict v = analyze(attach("budget.xls", "application/vnd.ms-excel", xls));

    assertThat(v.labels()).contains(Label.MACRO, Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments().get(0).trueType()).isEqualTo("application/vnd.ms-excel");
    assertThat(hasFinding(v, "macro-document", "Excel 4.0 macro sheets: Auto_Open (very hidden)"))
        .isTrue();
  }

  @Test
  void xlsWithOnlyWorksheetsShouldBeClean() {
    byte[] workbook = Containers.workbookWithMacroSheet("Sheet2");
    workbook[4 + 16 + 4 + 8 + 6 + 4 + 5] = 0; // the second sheet becomes a worksheet
    byte[] xls = OleFiles.withStreamData("Workbook", workbook);

    Verdict v = analyze(attach("budget.xls", "application/vnd.ms-excel", xls));

    assertThat(v.labels()).isEmpty();
  }

  @Test
  void xlsxWithAMacroSheetPartShouldBeLabelledMacroWithoutAVbaProject() {
    byte[] xlsx =
        SampleMessages.zip(
            Map.of(
                "[Content_Types].xml", bytes("<Types/>"),
                "xl/workbook.xml", bytes("<workbook/>"),
                "xl/macrosheets/sheet1.xml", bytes("<xm:macrosheet/>")));

    Verdict v = analyze(attach("prices.xlsx", "application/octet-stream", xlsx));

    assertThat(v.labels()).contains(Label.MACRO);
    assertThat(v.attachments().get(0).trueType())
        .isEqualTo("application/vnd.ms-excel.sheet.macroenabled.12");
  }

  // ---- PDF embedded files ----

  @Test
  void pdfLaunchingAnEmbeddedExecutableShouldBeDangerousWithTheMemberNamed() {
    byte[] pdf =
        Containers.pdfWithEmbeddedFile("invoice.exe", SampleMessages.peStub(), false, true);

    Verdict v = analyze(attach("invoice.pdf", "application/pdf", pdf));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("invoice.exe");
              assertThat(a.categories()).contains("executable");
            });
    assertThat(v.attachments().get(v.attachments().size() - 1).categories()).contains("pdf-active");
  }

  @Test
  void flateCompressedEmbeddedExecutableShouldBeInflatedAndFound() {
    byte[] pdf = Containers.pdfWithEmbeddedFile("setup.bin", SampleMessages.peStub(), true, false);

    Verdict v = analyze(attach("report.pdf", "application/pdf", pdf));

    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("setup.bin");
              assertThat(a.trueType()).isEqualTo("application/x-msdownload");
            });
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void pdfWithAnEmbeddedSpreadsheetOfTextShouldBeClean() {
    byte[] pdf =
        Containers.pdfWithEmbeddedFile("data.csv", bytes("quarter,revenue\nQ1,100\n"), true, false);

    Verdict v = analyze(attach("report.pdf", "application/pdf", pdf));

    assertThat(v.labels()).isEmpty();
    assertThat(v.attachments()).anySatisfy(a -> assertThat(a.fileName()).isEqualTo("data.csv"));
  }

  // ---- RTF objects ----

  @Test
  void rtfPackageObjectCarryingAnExecutableShouldBeDangerous() {
    byte[] rtf =
        Containers.rtf(
            "Package",
            false,
            Containers.packageObject("invoice.exe", SampleMessages.peStub()),
            false);

    Verdict v = analyze(attach("letter.rtf", "application/rtf", rtf));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("invoice.exe");
              assertThat(a.categories()).contains("executable");
            });
  }

  @Test
  void hexObfuscatedWithControlWordsShouldStillBeDecoded() {
    byte[] rtf =
        Containers.rtf(
            "Package", false, Containers.packageObject("run.exe", SampleMessages.peStub()), true);

    Verdict v = analyze(attach("letter.rtf", "application/rtf", rtf));

    assertThat(v.attachments())
        .anySatisfy(a -> assertThat(a.trueType()).isEqualTo("application/x-msdownload"));
  }

  @Test
  void equationEditorObjectThatUpdatesOnOpenShouldBeAnActiveObject() {
    byte[] rtf =
        Containers.rtf(
            "Equation.3", true, Containers.opaqueObject("Equation.3", new byte[64]), false);

    Verdict v = analyze(attach("order.rtf", "application/rtf", rtf));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments().get(v.attachments().size() - 1).categories())
        .contains("active-object");
    assertThat(hasFinding(v, "attachment-active-object", "exploited object class")).isTrue();
    assertThat(hasFinding(v, "attachment-active-object", "objupdate")).isTrue();
  }

  @Test
  void rtfWithAnObjectDisguisedAsDocShouldBeAMismatch() {
    byte[] rtf =
        Containers.rtf(
            "Package", false, Containers.packageObject("notes.txt", bytes("hello\n")), false);

    Verdict v = analyze(attach("contract.doc", "application/msword", rtf));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(hasFinding(v, "attachment-mismatch", "RTF with 1 embedded object(s) named .doc"))
        .isTrue();
  }

  @Test
  void plainRtfShouldBeClean() {
    assertThat(analyze(attach("minutes.rtf", "application/rtf", Containers.plainRtf())).labels())
        .isEmpty();
  }

  // ---- TNEF ----

  @Test
  void executableInsideWinmailDatShouldBeFoundUnderItsName() {
    byte[] tnef = Containers.tnef("setup.exe", SampleMessages.peStub());

    Verdict v = analyze(attach("winmail.dat", "application/ms-tnef", tnef));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("setup.exe");
              assertThat(a.trueType()).isEqualTo("application/x-msdownload");
            });
  }

  @Test
  void winmailDatWithADocumentShouldBeClean() {
    byte[] tnef = Containers.tnef("notes.txt", bytes("Agenda for Monday\n"));

    Verdict v = analyze(attach("winmail.dat", "application/ms-tnef", tnef));

    assertThat(v.labels()).isEmpty();
    assertThat(v.attachments()).anySatisfy(a -> assertThat(a.fileName()).isEqualTo("notes.txt"));
  }

  @Test
  void truncatedTnefShouldBeMalformedNotAPass() {
    byte[] tnef = Containers.tnef("setup.exe", SampleMessages.peStub());
    byte[] cut = java.util.Arrays.copyOf(tnef, tnef.length - 40);

    Verdict v = analyze(attach("winmail.dat", "application/ms-tnef", cut));

    assertThat(v.labels()).contains(Label.MALFORMED);
  }

  // ---- RAR ----

  @Test
  void executableStoredInARar4ArchiveShouldBeInspectedByContent() {
    byte[] rar = Containers.rar4("photo.jpg", SampleMessages.peStub(), 0x30, false, false);

    Verdict v = analyze(attach("photos.rar", "application/x-rar-compressed", rar));

    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    assertThat(v.attachments())
        .anySatisfy(a -> assertThat(a.categories()).contains("executable", "mismatch"));
  }

  @Test
  void compressedRarMemberShouldBeUnscannableAndJudgedByName() {
    byte[] rar = Containers.rar4("invoice.exe", bytes("compressed bytes"), 0x33, false, false);

    Verdict v = analyze(attach("invoice.rar", "application/octet-stream", rar));

    assertThat(hasFinding(v, "unscannable-archive", "could not be expanded")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void encryptedRarMemberShouldBeLabelledEncrypted() {
    byte[] rar = Containers.rar4("report.pdf", bytes("ciphertext"), 0x30, true, false);

    Verdict v = analyze(attach("report.rar", "application/octet-stream", rar));

    assertThat(v.labels()).contains(Label.ENCRYPTED);
  }

  @Test
  void rarWithEncryptedHeadersShouldBeLabelledEncrypted() {
    assertThat(
            analyze(
                    attach(
                        "a.rar",
                        "application/octet-stream",
                        Containers.rar4("", new byte[0], 0, false, true)))
                .labels())
        .contains(Label.ENCRYPTED);
    assertThat(
            analyze(
                    attach(
                        "b.rar",
                        "application/octet-stream",
                        Containers.rar5("", new byte[0], true)))
                .labels())
        .contains(Label.ENCRYPTED);
  }

  @Test
  void executableStoredInARar5ArchiveShouldBeInspectedByContent() {
    byte[] rar = Containers.rar5("readme.txt", SampleMessages.peStub(), false);

    Verdict v = analyze(attach("docs.rar", "application/vnd.rar", rar));

    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("readme.txt");
              assertThat(a.trueType()).isEqualTo("application/x-msdownload");
            });
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  // ---- CAB ----

  @Test
  void executableInAStoredOrMszipCabinetShouldBeInspectedByContent() {
    for (int compression : new int[] {0, 1}) {
      byte[] cab = Containers.cab("update.dat", SampleMessages.peStub(), compression);

      Verdict v = analyze(attach("update.cab", "application/octet-stream", cab));

      assertThat(v.attachments())
          .as("compression %d", compression)
          .anySatisfy(a -> assertThat(a.trueType()).isEqualTo("application/x-msdownload"));
      assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
    }
  }

  @Test
  void lzxCabinetMemberShouldBeUnscannableAndJudgedByName() {
    byte[] cab = Containers.cab("setup.exe", SampleMessages.peStub(), 3);

    Verdict v = analyze(attach("setup.cab", "application/vnd.ms-cab-compressed", cab));

    assertThat(hasFinding(v, "unscannable-archive", "could not be expanded")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void cabinetOfATextFileShouldBeClean() {
    byte[] cab = Containers.cab("readme.txt", bytes("Install notes\n"), 1);

    assertThat(analyze(attach("notes.cab", "application/octet-stream", cab)).labels()).isEmpty();
  }

  // ---- ARJ ----

  @Test
  void executableStoredInAnArjArchiveShouldBeInspectedByContent() {
    byte[] arj = Containers.arj("scan.jpg", SampleMessages.peStub(), 0);

    Verdict v = analyze(attach("scans.arj", "application/octet-stream", arj));

    assertThat(v.attachments())
        .anySatisfy(
            a -> {
              assertThat(a.fileName()).isEqualTo("scan.jpg");
              assertThat(a.categories()).contains("executable", "mismatch");
            });
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void compressedArjMemberShouldBeUnscannableAndJudgedByName() {
    byte[] arj = Containers.arj("clam.exe", bytes("not really compressed"), 1);

    Verdict v = analyze(attach("clam.arj", "application/octet-stream", arj));

    assertThat(hasFinding(v, "unscannable-archive", "unsupported compression")).isTrue();
    assertThat(v.labels()).contains(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void rtfWithThousandsOfObjectLookalikeControlWordsShouldBeInspectedInBoundedTime() {
    byte[] rtf =
        ("{\\rtf1 " + "\\objectx ".repeat(200_000) + "{\\object\\objdata 00}}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    Verdict v =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(10),
            () -> analyze(attach("a.rtf", "application/rtf", rtf)));

    assertThat(v.labels()).doesNotContain(Label.SCAN_ERROR);
  }

  @Test
  void pdfWithAMillionFileSpecLookalikesShouldBeInspectedInBoundedTime() {
    byte[] pdf =
        ("%PDF-1.7\n"
                + "/EF ".repeat(1_000_000)
                + "\n1 0 obj << /Type /EmbeddedFile /Length 2 >>\nstream\nhi\nendstream endobj\n")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    Verdict v =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(10),
            () -> analyze(attach("a.pdf", "application/pdf", pdf)));

    assertThat(v.labels()).doesNotContain(Label.SCAN_ERROR);
    assertThat(v.attachments()).anySatisfy(a -> assertThat(a.fileName()).isEqualTo("embedded-1"));
  }

  @Test
  void cabinetWhoseEntriesOverlapShouldBeADecompressionBombNotAnOutOfMemory() {
    byte[] cab = Containers.cab("a.txt", new byte[30_000], 0, 3_000); // 90 MB of copies

    Verdict v = analyze(attach("overlap.cab", "application/octet-stream", cab));

    assertThat(v.labels()).contains(Label.DECOMPRESSION_BOMB);
    // Stopped while listing, before 90 MB of copies were held in memory.
    assertThat(hasFinding(v, "decompression-bomb", "cabinet members overlap")).isTrue();
  }
}
