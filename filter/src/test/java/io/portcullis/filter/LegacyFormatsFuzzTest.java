package io.portcullis.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.attachment.LegacyFiles;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted-input robustness of the legacy readers: seeded random byte flips, truncations and length
 * overwrites of valid samples must end in a verdict (at worst malformed or a bomb), never in an
 * escaped exception or a scan error.
 */
class LegacyFormatsFuzzTest {

  @TempDir Path scratch;

  @Test
  void mutatedLegacyContainersShouldAlwaysYieldAVerdictWithoutScanErrors() {
    byte[] pe = SampleMessages.peStub();
    byte[] storage =
        OleFiles.withStreamData("\u0001Ole10Native", LegacyFiles.ole10Native("a.exe", pe));
    List<byte[]> samples =
        List.of(
            LegacyFiles.szdd(pe, pe.length),
            LegacyFiles.kwaj("a", "exe", 2, pe),
            LegacyFiles.binHexText(LegacyFiles.binHexStream("a.exe", pe, pe.length)),
            LegacyFiles.uuencode("a.exe", pe).getBytes(StandardCharsets.US_ASCII),
            LegacyFiles.sis("!:\\a.exe", pe, false, pe.length),
            OleFiles.withStreamData(
                "PowerPoint Document",
                LegacyFiles.pptDocumentStream(storage, storage.length, true)),
            SampleMessages.withAttachment("in", "x", "a.exe", "application/octet-stream", pe));
    MessageAnalyzer analyzer =
        MessageAnalyzer.create(FilterSettings.defaults().withScratchDir(scratch), Optional.empty());
    Random random = new Random(7);
    for (byte[] sample : samples) {
      for (int round = 0; round < 40; round++) {
        byte[] mutated = mutate(sample, random);

        Verdict v =
            analyzer.analyze(
                new ByteArrayInputStream(
                    TestMessages.attach("f.bin", "application/octet-stream", mutated)));

        assertThat(v.labels()).doesNotContain(Label.SCAN_ERROR);
        assertThat(v.findings()).noneMatch(f -> f.rule().equals("analyzer-error"));
      }
    }
  }

  private static byte[] mutate(byte[] sample, Random random) {
    byte[] m = sample.clone();
    switch (random.nextInt(3)) {
      case 0 -> {
        for (int i = 0; i < 1 + random.nextInt(8); i++) {
          m[random.nextInt(m.length)] = (byte) random.nextInt(256);
        }
      }
      case 1 -> m = java.util.Arrays.copyOf(m, random.nextInt(m.length));
      default -> {
        int at = random.nextInt(Math.max(1, m.length - 4));
        int v = random.nextBoolean() ? -1 : random.nextInt();
        for (int k = 0; k < 4 && at + k < m.length; k++) {
          m[at + k] = (byte) (v >> (8 * k));
        }
      }
    }
    return m;
  }
}
