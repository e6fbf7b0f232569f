package io.portcullis.filter.attachment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.filter.Finding;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.mime.MimeLimits;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The legacy-format readers on crafted input: limits, lying lengths, truncation. */
class LegacyReadersTest {

  @TempDir Path scratch;

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  // ---- LZSS (SZDD) ----

  @Test
  void lzssShouldRoundTripRepetitiveDataThroughOverlappingMatches() throws IOException {
    byte[] data = bytes("abcabcabcabcabcabcabcabc    spaces    " + "x".repeat(500));

    ListedArchive a =
        MsCompressReader.expand(LegacyFiles.szdd(data, data.length), "f.tx_", 1 << 20);

    assertThat(a.entries().get(0).data()).isEqualTo(data);
  }

  @Test
  void lzssMatchIntoTheInitialSpacesShouldYieldSpaces() {
    // Control byte 0: a match at window position 0 of length 18, before anything was written.
    byte[] out = MsCompressReader.lzss(new byte[] {0, 0x00, 0x0F}, 0, 100);

    assertThat(out).isEqualTo(bytes(" ".repeat(18)));
  }

  @Test
  void szddShouldStopAtTheCallersBoundBeforeDecoding() {
    byte[] szdd = LegacyFiles.szdd(new byte[10_000], 10_000);

    assertThatThrownBy(() -> MsCompressReader.expand(szdd, "a.szdd", 4_096))
        .isInstanceOf(AttachmentInspector.BombException.class);
  }

  @Test
  void szddWithUnknownModeShouldBeRejected() {
    byte[] szdd = LegacyFiles.szdd(bytes("hello"), 5);
    szdd[8] = 'B';

    assertThatThrownBy(() -> MsCompressReader.expand(szdd, "a.szdd", 1 << 20))
        .isInstanceOf(IOException.class)
        .isNotInstanceOf(AttachmentInspector.BombException.class);
  }

  @Test
  void szddNameShouldBeRestoredFromTheLastCharacterInTheHeader() throws IOException {
    byte[] szdd = LegacyFiles.szdd(bytes("hello"), 5);
    szdd[9] = 'E';

    ListedArchive a = MsCompressReader.expand(szdd, "SETUP.EX_", 1 << 20);

    assertThat(a.entries().get(0).name()).isEqualTo("SETUP.EXe");
  }

  @Test
  void kwajHeaderRunningPastTheEndShouldBeRejected() {
    byte[] kwaj = LegacyFiles.kwaj("name", "exe", 0, new byte[0]);
    byte[] cut = java.util.Arrays.copyOf(kwaj, 16);

    assertThatThrownBy(() -> MsCompressReader.expand(cut, "a", 1 << 20))
        .isInstanceOf(IOException.class);
  }

  // ---- BinHex ----

  @Test
  void binHexRunLengthBombShouldStopAtTheLimit() {
    // Every "00 90 FF" is 255 bytes out of 3 in: run-length decoding must stop at the bound.
    java.io.ByteArrayOutputStream runs = new java.io.ByteArrayOutputStream();
    for (int i = 0; i < 1_000; i++) {
      runs.write(0);
      runs.write(0x90);
      runs.write(0xFF);
    }

    assertThatThrownBy(() -> BinHexReader.decode(rleText(runs.toByteArray()), 10_000))
        .isInstanceOf(AttachmentInspector.BombException.class);
  }

  /** BinHex text of raw bytes that already contain 0x90 run markers. */
  private static byte[] rleText(byte[] raw) {
    String alphabet = "!\"#$%&'()*+,-012345689@ABCDEFGHIJKLMNPQRSTUVXYZ[`abcdefhijklmpqr";
    StringBuilder sb = new StringBuilder("(This file must be converted with BinHex 4.0)\n:");
    for (int i = 0; i < raw.length; i += 3) {
      int b0 = raw[i] & 0xFF;
      int b1 = i + 1 < raw.length ? raw[i + 1] & 0xFF : 0;
      int b2 = i + 2 < raw.length ? raw[i + 2] & 0xFF : 0;
      sb.append(alphabet.charAt(b0 >> 2))
          .append(alphabet.charAt(((b0 & 3) << 4) | (b1 >> 4)))
          .append(alphabet.charAt(((b1 & 0xF) << 2) | (b2 >> 6)))
          .append(alphabet.charAt(b2 & 0x3F));
    }
    return bytes(sb.append(":").toString());
  }

  @Test
  void binHexWithACharacterOutsideTheAlphabetShouldBeRejected() {
    byte[] text = bytes("(This file must be converted with BinHex 4.0)\n:!!!7!!:");

    assertThatThrownBy(() -> BinHexReader.decode(text, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("alphabet");
  }

  @Test
  void binHexHeaderWithAWrongCrcShouldBeRejected() {
    byte[] stream = LegacyFiles.binHexStream("a.txt", bytes("hi"), 2);
    stream[3] ^= 1; // inside the name

    assertThatThrownBy(() -> BinHexReader.decode(LegacyFiles.binHexText(stream), 1 << 20))
        .hasMessageContaining("header CRC");
  }

  // ---- uuencode ----

  @Test
  void uuencodedBlocksShouldEachBecomeAMember() throws IOException {
    String two =
        "text before\r\n"
            + LegacyFiles.uuencode("a.bin", bytes("first file"))
            + "between\r\n"
            + LegacyFiles.uuencode("b.bin", bytes("second"));

    ListedArchive a = UuDecoder.decode(bytes(two), 1 << 20);

    assertThat(a.entries()).extracting(ListedArchive.Entry::name).containsExactly("a.bin", "b.bin");
    assertThat(a.entries().get(1).data()).isEqualTo(bytes("second"));
  }

  @Test
  void uuencodedDataOverTheLimitShouldBeABomb() {
    String uu = LegacyFiles.uuencode("big.bin", new byte[5_000]);

    assertThatThrownBy(() -> UuDecoder.decode(bytes(uu), 1_000))
        .isInstanceOf(AttachmentInspector.BombException.class);
  }

  @Test
  void uuencodeLineWithBytesOutsideTheAlphabetShouldBeRejected() {
    String uu = "begin 644 a\nM\u00ff\u00ff\u00ff\u00ff\n`\nend\n";

    assertThatThrownBy(() -> UuDecoder.decode(bytes(uu), 1 << 20)).isInstanceOf(IOException.class);
  }

  // ---- SIS ----

  @Test
  void sisWithAnUnknownRecordTypeShouldBeRejected() {
    byte[] sis = LegacyFiles.sis("!:\\a.txt", bytes("x"), true, 1);
    ByteBuffer.wrap(sis).order(ByteOrder.LITTLE_ENDIAN).putInt(100, 99);

    assertThatThrownBy(() -> SisReader.list(sis, 1 << 20)).hasMessageContaining("record type");
  }

  @Test
  void sisWithAHugeNameLengthShouldBeRejected() {
    byte[] sis = LegacyFiles.sis("!:\\a.txt", bytes("x"), true, 1);
    ByteBuffer.wrap(sis).order(ByteOrder.LITTLE_ENDIAN).putInt(100 + 20, Integer.MAX_VALUE);

    assertThatThrownBy(() -> SisReader.list(sis, 1 << 20)).isInstanceOf(IOException.class);
  }

  // ---- PowerPoint ----

  @Test
  void powerPointRecordLongerThanTheStreamShouldEndTheSearchQuietly() throws IOException {
    byte[] stream = new byte[16];
    ByteBuffer.wrap(stream)
        .order(ByteOrder.LITTLE_ENDIAN)
        .putShort(2, (short) 0x1011)
        .putInt(4, 1 << 30);

    assertThat(PptObjects.storages(stream, 1 << 20)).isEmpty();
  }

  @Test
  void powerPointObjectWithCorruptZlibShouldBeRejected() {
    byte[] stream = new byte[20];
    ByteBuffer b = ByteBuffer.wrap(stream).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(0, (short) 0x0010).putShort(2, (short) 0x1011).putInt(4, 12).putInt(8, 100);
    b.putInt(12, 0xDEADBEEF);

    assertThatThrownBy(() -> PptObjects.storages(stream, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void powerPointObjectWithABadChecksumAndShortStreamShouldKeepWhatInflatedAtTheDeclaredSize()
      throws IOException {
    byte[] storage = bytes("an OLE storage whose tail was lost".repeat(300));
    byte[] zlib = LegacyFiles.zlib(storage);
    zlib[zlib.length - 1] ^= 0x5A; // Adler-32 trailer no longer matches, as in Tika's sample
    int declared = storage.length + 300;
    byte[] record = new byte[8 + 4 + zlib.length];
    ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(0, (short) 0x0010).putShort(2, (short) 0x1011).putInt(4, 4 + zlib.length);
    b.putInt(8, declared);
    b.put(12, zlib);

    List<Member> objects = PptObjects.storages(record, 1 << 20);

    assertThat(objects).hasSize(1);
    assertThat(objects.get(0).data()).hasSize(declared).startsWith(storage);
  }

  @Test
  void powerPointObjectsWhoseDeclaredSizesAddUpPastTheLimitShouldBeABomb() {
    // Each tiny stream would be zero-filled to its declared size: the sum is what costs memory.
    byte[] zlib = LegacyFiles.zlib(bytes("x"));
    ByteBuffer b = ByteBuffer.allocate(5 * (12 + zlib.length)).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 5; i++) {
      b.putShort((short) 0x0010).putShort((short) 0x1011).putInt(4 + zlib.length);
      b.putInt(1_000).put(zlib);
    }

    assertThatThrownBy(() -> PptObjects.storages(b.array(), 4_000))
        .isInstanceOf(AttachmentInspector.BombException.class);
  }

  // ---- mbox and attached messages ----

  @Test
  void mboxShouldSplitOnlyAtFromLinesAfterAnEmptyLine() {
    byte[] mbox =
        bytes(
            "From a Tue Nov 24 09:00:00 2026\nSubject: one\n\nFrom the body, not a separator\n\n"
                + "From b Tue Nov 24 09:01:00 2026\nSubject: two\n\nbody\n");

    List<byte[]> messages = MailFiles.mboxMessages(mbox);

    assertThat(messages).hasSize(2);
    assertThat(new String(messages.get(0), StandardCharsets.ISO_8859_1))
        .startsWith("Subject: one")
        .contains("From the body");
  }

  @Test
  void attachedMessageOverTheMimePartLimitShouldBeReportedTooComplex() throws IOException {
    StringBuilder mail =
        new StringBuilder(
            "From: a@example.org\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n");
    for (int i = 0; i < 30; i++) {
      mail.append("--b\r\nContent-Type: text/plain\r\n\r\npart ").append(i).append("\r\n");
    }
    mail.append("--b--\r\n");
    MimeLimits tight =
        new MimeLimits(100L << 20, 100, 20, 10 << 20, 10_000, 1 << 20, 1 << 20, 1_000_000);
    AttachmentInspector inspector =
        new AttachmentInspector(AttachmentRules.defaults(), ArchiveLimits.defaults(), tight);

    List<Finding> findings;
    try (Spool spool = new Spool(scratch, 1 << 20)) {
      spool.write(bytes(mail.toString()));
      spool.seal();
      findings =
          inspector
              .inspect(
                  "2",
                  "many.eml",
                  "application/octet-stream",
                  spool,
                  inspector.newBudget(),
                  scratch)
              .findings();
    }

    assertThat(findings)
        .anySatisfy(
            f -> {
              assertThat(f.rule()).isEqualTo("mime-too-complex");
              assertThat(f.reason()).startsWith("attached message:");
            });
  }
}
