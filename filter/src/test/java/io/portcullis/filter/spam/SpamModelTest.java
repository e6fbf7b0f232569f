package io.portcullis.filter.spam;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpamModelTest {

  @TempDir Path dir;

  private static SpamModel trained() {
    SpamModel.Builder b = new SpamModel.Builder();
    for (int i = 0; i < 20; i++) {
      b.learn(List.of("viagra", "winner", "free", "common" + i), true);
      b.learn(List.of("meeting", "agenda", "patch", "common" + i), false);
    }
    return b.build();
  }

  @Test
  void anEmptyModelShouldBeNeutral() {
    assertThat(SpamModel.empty().classify(List.of("viagra", "meeting")).probability())
        .isEqualTo(0.5);
  }

  @Test
  void unknownTokensShouldBeNeutral() {
    assertThat(trained().classify(List.of("never", "seen", "before")).probability()).isEqualTo(0.5);
  }

  @Test
  void trainedModelShouldSeparateSpamFromHam() {
    SpamModel m = trained();

    assertThat(m.classify(List.of("viagra", "winner", "free")).probability()).isGreaterThan(0.99);
    assertThat(m.classify(List.of("meeting", "agenda", "patch")).probability()).isLessThan(0.01);
    assertThat(m.classify(List.of("viagra", "winner", "free")).clues())
        .extracting(SpamModel.Clue::token)
        .contains("viagra");
  }

  @Test
  void tokensSeenEquallyInBothShouldNotBeEvidence() {
    assertThat(trained().classify(List.of("common1", "common2")).probability()).isEqualTo(0.5);
  }

  @Test
  void chiSquaredTailShouldMatchKnownValues() {
    // P(chi2 with 2 degrees of freedom >= x) = exp(-x/2).
    assertThat(SpamModel.chi2Q(2.0, 2))
        .isCloseTo(Math.exp(-1), org.assertj.core.data.Offset.offset(1e-12));
    assertThat(SpamModel.chi2Q(0.0, 10)).isEqualTo(1.0);
  }

  @Test
  void saveAndLoadShouldRoundTrip() throws IOException {
    SpamModel m = trained();
    Path file = dir.resolve("model.gz");

    m.save(file);
    SpamModel loaded = SpamModel.load(file);

    assertThat(loaded.spamMessages()).isEqualTo(20);
    assertThat(loaded.hamMessages()).isEqualTo(20);
    assertThat(loaded.tokenCount()).isEqualTo(m.tokenCount());
    assertThat(loaded.tokenizerVersion()).isEqualTo(Tokenizer.VERSION);
    assertThat(loaded.classify(List.of("viagra")).probability())
        .isEqualTo(m.classify(List.of("viagra")).probability());
  }

  @Test
  void aModelOfAnotherFormatVersionShouldBeRefused() throws IOException {
    Path file = dir.resolve("future.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(
          "portcullis-spam-model 99\ntokenizer 1\nspam 1\nham 1\n"
              .getBytes(StandardCharsets.UTF_8));
    }

    assertThatThrownBy(() -> SpamModel.load(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format 99");
  }

  @Test
  void aCorruptModelShouldBeRefused() throws IOException {
    Path file = dir.resolve("corrupt.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(
          "portcullis-spam-model 2\ntokenizer 1\nspam 1\nham 1\nword\t5\t0\n"
              .getBytes(StandardCharsets.UTF_8));
    }

    assertThatThrownBy(() -> SpamModel.load(file)).isInstanceOf(IOException.class);
  }

  @Test
  void aModelOfAnotherTokenizerVersionShouldBeRefusedWithARetrainHint() throws IOException {
    SpamModel.Builder b = new SpamModel.Builder(Tokenizer.VERSION + 1);
    b.learn(List.of("viagra"), true).learn(List.of("meeting"), false);
    Path file = dir.resolve("other-tokenizer.gz");
    b.build().save(file);

    assertThatThrownBy(() -> SpamModel.load(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tokenizer version " + (Tokenizer.VERSION + 1))
        .hasMessageContaining("retrain")
        .hasMessageContaining("portcullis filter train --fresh");
  }

  @Test
  void aFormat1ModelShouldBeReadAsTokenizerVersion1() throws IOException {
    byte[] v1 =
        "portcullis-spam-model 1\nspam 2\nham 3\nword\t1\t0\n".getBytes(StandardCharsets.UTF_8);

    SpamModel m = SpamModel.read(new java.io.ByteArrayInputStream(v1));

    assertThat(m.tokenizerVersion()).isEqualTo(1);
    assertThat(m.spamMessages()).isEqualTo(2);
    assertThat(m.tokenCount()).isEqualTo(1);
  }

  @Test
  void incrementalTrainingShouldKeepTheBaseModelsTokenizerVersion() {
    SpamModel base = new SpamModel.Builder(7).learn(List.of("a"), true).build();

    assertThat(new SpamModel.Builder(base).learn(List.of("b"), false).build().tokenizerVersion())
        .isEqualTo(7);
  }

  @Test
  void anUnknownWordWithPunctuationShouldFallBackToTheKnownBareWord() {
    SpamModel m = trained();

    assertThat(m.classify(List.of("viagra!!!", "$winner")).probability()).isGreaterThan(0.9);
    assertThat(m.classify(List.of("subject:agenda", "from:name:patch")).probability())
        .isLessThan(0.1);
  }

  @Test
  void aFallbackShouldNotCountAWordTwice() {
    SpamModel m = trained();

    assertThat(m.classify(List.of("viagra", "viagra!", "subject:viagra")).clues())
        .extracting(SpamModel.Clue::token)
        .containsExactly("viagra");
  }

  @Test
  void prefixedTokensOtherThanSubjectAndDisplayNameShouldHaveNoFallback() {
    assertThat(SpamModel.degenerations("url:viagra")).isEmpty();
    assertThat(SpamModel.degenerations("caps:viagra!")).isEmpty();
    assertThat(SpamModel.degenerations("subject:free!!")).containsExactly("free!!", "free");
  }

  @Test
  void aFormat1ModelFromBeforeTokenizerVersionsShouldBeRefusedWithARetrainHint()
      throws IOException {
    Path file = dir.resolve("format1.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(
          "portcullis-spam-model 1\nspam 1\nham 1\nword\t1\t0\n".getBytes(StandardCharsets.UTF_8));
    }

    assertThatThrownBy(() -> SpamModel.load(file))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("tokenizer version 1")
        .hasMessageContaining("portcullis filter train --fresh");
  }
}
