package io.portcullis.gateway.cli;

/** Entry point of the shaded jar and of {@code ./portcullis}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(PortcullisCommand.commandLine().execute(args));
  }
}
