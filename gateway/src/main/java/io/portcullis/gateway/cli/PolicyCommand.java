package io.portcullis.gateway.cli;

import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.Verdict;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.policy.MessageFacts;
import io.portcullis.policy.PolicyCommands;
import io.portcullis.policy.ScanScope;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portcullis policy check|explain|test|show-default}. */
@Command(
    name = "policy",
    mixinStandardHelpOptions = true,
    description = "Validate, test and explain a policy file (docs/policies.md).",
    subcommands = {
      PolicyCommand.Check.class,
      PolicyCommand.Explain.class,
      PolicyCommand.Test.class,
      PolicyCommand.ShowDefault.class
    })
final class PolicyCommand {

  static int withCommands(java.util.function.ToIntFunction<PolicyCommands> action) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    try {
      return action.applyAsInt(new PolicyCommands(out, err, Clock.systemDefaultZone()));
    } finally {
      out.flush();
      err.flush();
    }
  }

  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description = "Validate a policy; print warnings; exit 1 on an error.")
  static final class Check implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      return withCommands(c -> c.check(file));
    }
  }

  @Command(
      name = "test",
      mixinStandardHelpOptions = true,
      description = "Run a table of expected decisions (YAML); exit 1 if any case fails.")
  static final class Test implements Callable<Integer> {
    @Parameters(paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() {
      return withCommands(c -> c.test(file));
    }
  }

  @Command(
      name = "show-default",
      mixinStandardHelpOptions = true,
      description = "Print the built-in policy used when no policy file is configured.")
  static final class ShowDefault implements Callable<Integer> {
    @Override
    public Integer call() {
      return withCommands(PolicyCommands::showDefault);
    }
  }

  @Command(
      name = "explain",
      mixinStandardHelpOptions = true,
      description = "Show the decisions for a session (and a message) and the rule that made each.")
  static final class Explain implements Callable<Integer> {
    @Option(names = "--policy", paramLabel = "FILE", description = "Default: the built-in policy.")
    Path policy;

    @Option(names = "--user", required = true)
    String user;

    @Option(names = "--source", required = true, paramLabel = "IP")
    String source;

    @Option(names = "--protocol", paramLabel = "imap|pop3")
    String protocol;

    @Option(names = "--mechanism", paramLabel = "M")
    String mechanism;

    @Option(names = "--groups", split = ",", paramLabel = "G1,G2")
    List<String> groups = List.of();

    @Option(names = "--listener", paramLabel = "NAME")
    String listener;

    @Option(names = "--tls-version", paramLabel = "V")
    String tlsVersion;

    @Option(names = "--client-certificate")
    boolean clientCertificate;

    @Option(
        names = "--message",
        paramLabel = "FILE.eml",
        description = "Scan this message with the filter and explain the action for it.")
    Path message;

    @Option(names = "--message-labels", split = ",", paramLabel = "L1,L2")
    List<String> labels = List.of();

    @Override
    public Integer call() throws IOException {
      Optional<MessageFacts> facts =
          message == null ? Optional.empty() : Optional.of(facts(message));
      PolicyCommands.ExplainRequest request =
          new PolicyCommands.ExplainRequest(
              user,
              source,
              protocol,
              mechanism,
              groups,
              listener,
              tlsVersion,
              clientCertificate,
              null,
              labels);
      return withCommands(c -> c.explain(Optional.ofNullable(policy), request, facts));
    }

    private static MessageFacts facts(Path eml) throws IOException {
      MessageAnalyzer analyzer =
          MessageAnalyzer.create(FilterSettings.defaults(), Optional.empty());
      Verdict verdict;
      try (InputStream in = Files.newInputStream(eml)) {
        verdict = analyzer.analyze(in);
      }
      System.out.println(ScanReportLine.of(eml, verdict));
      return MessageFilter.facts(verdict, Files.size(eml), ScanScope.FULL);
    }
  }

  /** One line summarising a verdict before the explanation. */
  private static final class ScanReportLine {
    static String of(Path file, Verdict v) {
      return "message "
          + file
          + ": score "
          + String.format(java.util.Locale.ROOT, "%.1f", v.score())
          + ", labels "
          + v.labels().stream().map(Label::id).sorted().toList();
    }
  }
}
