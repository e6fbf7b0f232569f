package io.portcullis.gateway.cli;

import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.SpamTrainer;
import io.portcullis.filter.spam.SpamModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis filter train}. */
@Command(
    name = "filter",
    mixinStandardHelpOptions = true,
    description = "Train the statistical spam classifier.",
    subcommands = {FilterCommand.Train.class})
final class FilterCommand {
  static Path defaultModel(Path dataDir) {
    return dataDir.resolve("spam-model.bin");
  }

  @Command(
      name = "train",
      mixinStandardHelpOptions = true,
      description =
          "Train from spam and ham (Maildir, directories of .eml files, or mbox), adding to the"
              + " existing model unless --fresh. Progress goes to standard error.")
  static final class Train implements Callable<Integer> {
    @Option(names = "--spam", required = true, paramLabel = "DIR|MBOX", description = "Spam.")
    List<Path> spam;

    @Option(names = "--ham", required = true, paramLabel = "DIR|MBOX", description = "Ham.")
    List<Path> ham;

    @Option(
        names = "--model",
        paramLabel = "FILE",
        description = "Default: DATA-DIR/spam-model.bin")
    Path model;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "Default: portcullis-data")
    Path dataDir = Path.of("portcullis-data");

    @Option(names = "--fresh", description = "Start from an empty model.")
    boolean fresh;

    @Override
    public Integer call() {
      Path file = model != null ? model : defaultModel(dataDir);
      try {
        Optional<SpamModel> base =
            fresh || !Files.exists(file) ? Optional.empty() : Optional.of(SpamModel.load(file));
        if (file.getParent() != null) {
          Files.createDirectories(file.getParent());
        }
        SpamTrainer.Result result =
            new SpamTrainer(FilterSettings.defaults().mimeLimits())
                .train(spam, ham, base, file, System.err);
        System.out.printf(
            "trained on %d spam and %d ham messages, %d tokens: %s%n",
            result.spamMessages(), result.hamMessages(), result.tokens(), result.model());
        return 0;
      } catch (IOException e) {
        throw new CliException("training failed: " + e.getMessage(), 2);
      }
    }
  }
}
