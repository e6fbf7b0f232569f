package io.portcullis.filter;

import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.mime.MimeWalker;
import io.portcullis.filter.spam.SpamModel;
import io.portcullis.filter.spam.Tokenizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The logic of {@code portcullis filter train --spam X --ham Y [--model F]}: tokenizes every
 * message of the spam and ham inputs (Maildir, directories of .eml, mbox) exactly as the analyzer
 * does, counts them into a {@link SpamModel} (on top of an existing one when given) and saves it
 * atomically, drawing a progress bar on the given stream. Not thread-safe.
 */
public final class SpamTrainer {

  /** What a training run did. */
  public record Result(int spamMessages, int hamMessages, int tokens, Path model) {}

  private final MimeWalker walker;
  private final Tokenizer tokenizer = new Tokenizer();

  public SpamTrainer(MimeLimits limits) {
    this.walker = new MimeWalker(limits);
  }

  /**
   * Trains and writes the model file.
   *
   * @param base a model to add to, or empty to start from nothing
   * @param progress where the progress bar goes (stderr in the CLI)
   */
  public Result train(
      List<Path> spam,
      List<Path> ham,
      Optional<SpamModel> base,
      Path modelFile,
      PrintStream progress)
      throws IOException {
    SpamModel.Builder builder = base.map(SpamModel.Builder::new).orElseGet(SpamModel.Builder::new);
    int total = MessageSource.count(spam) + MessageSource.count(ham);
    int[] done = {0};
    int[] counts = {0, 0};
    for (boolean isSpam : new boolean[] {true, false}) {
      MessageSource.forEach(
          isSpam ? spam : ham,
          item -> {
            MimeWalker.Content content = walker.walk(new ByteArrayInputStream(item.bytes()), null);
            builder.learn(tokenizer.tokens(content), isSpam);
            counts[isSpam ? 0 : 1]++;
            bar(progress, ++done[0], total, counts);
          });
    }
    SpamModel model = builder.build();
    model.save(modelFile);
    progress.println();
    progress.printf(
        Locale.ROOT,
        "trained on %d spam and %d ham messages, %d tokens, model %s%n",
        counts[0],
        counts[1],
        model.tokenCount(),
        modelFile);
    return new Result(counts[0], counts[1], model.tokenCount(), modelFile);
  }

  /** A textual progress bar redrawn in place, at most once per percent. */
  static void bar(PrintStream out, int done, int total, int[] counts) {
    int width = 30;
    if (total > 0 && done != total && (done * 100L / total) == ((done - 1) * 100L / total)) {
      return;
    }
    int filled = total == 0 ? width : (int) ((long) done * width / total);
    out.printf(
        Locale.ROOT,
        "\r[%s%s] %d/%d (spam %d, ham %d)",
        "#".repeat(filled),
        ".".repeat(width - filled),
        done,
        total,
        counts[0],
        counts[1]);
    out.flush();
  }
}
