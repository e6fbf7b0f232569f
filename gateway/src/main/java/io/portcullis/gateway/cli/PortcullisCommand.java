package io.portcullis.gateway.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code portcullis} command and its subcommands. */
@Command(
    name = "portcullis",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = {
      "A security-hardened mail retrieval gateway: a TLS-terminating POP3/IMAP proxy that"
          + " authenticates clients strongly and filters mail before it reaches them.",
      ""
    },
    subcommands = {
      ServeCommand.class,
      DemoCommand.class,
      UserCommand.class,
      CertCommand.class,
      ScanCommand.class,
      FilterCommand.class,
      PolicyCommand.class,
      QuarantineCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Documentation: docs/ in the source tree, starting at README.md."})
public final class PortcullisCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** A command line with the project's error handling: messages, not stack traces. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new PortcullisCommand());
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          commandLine.getErr().println("portcullis: " + ex.getMessage());
          return ex instanceof CliException c ? c.status() : 1;
        });
    return cl;
  }
}
