package io.portcullis.gateway.cli;

import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.ScanReport;
import io.portcullis.filter.spam.SpamModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portcullis scan}: the filter's verdict on messages, explained. */
@Command(
    name = "scan",
    mixinStandardHelpOptions = true,
    description = {
      "Analyse messages (.eml files, directories, Maildirs or mbox files) and print each verdict"
          + " with its reasons, and a summary for a corpus.",
      "Exit status: 0 nothing flagged, 1 something flagged, 2 an input could not be read."
    })
final class ScanCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "FILE|DIR|MBOX")
  List<Path> inputs;

  @Option(names = "--json", description = "One JSON object per message per line.")
  boolean json;

  @Option(
      names = "--model",
      paramLabel = "FILE",
      description =
          "Spam model from 'portcullis filter train' (default: DATA-DIR/spam-model.bin if present).")
  Path model;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Default: portcullis-data")
  Path dataDir = Path.of("portcullis-data");

  @Override
  public Integer call() {
    Optional<SpamModel> spamModel;
    try {
      spamModel = loadModel(model, dataDir);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new CliException("no spam model at " + e.getFile(), 2);
    } catch (IOException e) {
      // A model of another tokenizer version: the message names the file and the retrain command.
      String why = e.getMessage();
      throw new CliException(
          why.startsWith("spam model ") ? why : "cannot use the spam model: " + why, 2);
    }
    try {
      MessageAnalyzer analyzer = MessageAnalyzer.create(FilterSettings.defaults(), spamModel);
      return new ScanReport(analyzer, System.out, json).run(inputs);
    } catch (IOException e) {
      throw new CliException("cannot read input: " + e.getMessage(), 2);
    }
  }

  /** The explicit model, else the data directory's if it exists, else none. */
  static Optional<SpamModel> loadModel(Path explicit, Path dataDir) throws IOException {
    Path file = explicit != null ? explicit : FilterCommand.defaultModel(dataDir);
    if (explicit == null && !Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(SpamModel.load(file));
  }
}
