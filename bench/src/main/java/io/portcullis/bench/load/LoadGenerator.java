package io.portcullis.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code loadgen login-storm|bulk-fetch|paired-fetch|idle-fleet}: drives POP3 or IMAP sessions over
 * implicit TLS against one loopback port and prints one JSON line of results on stdout.
 */
@Command(
    name = "loadgen",
    mixinStandardHelpOptions = true,
    subcommands = {
      LoadGenerator.LoginStorm.class,
      LoadGenerator.BulkFetch.class,
      LoadGenerator.PairedFetch.class,
      LoadGenerator.IdleFleet.class,
      LoadGenerator.MakeMaildir.class,
      LoadGenerator.Table.class
    },
    description = "POP3/IMAP load generator for the Portcullis benchmarks (loopback only).")
public final class LoadGenerator {

  public static void main(String[] args) {
    System.exit(new CommandLine(new LoadGenerator()).execute(args));
  }

  /** Options every workload takes. */
  static final class Connection {
    @Option(names = "--protocol", required = true, description = "POP3 or IMAP")
    Target.Protocol protocol;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "a loopback address")
    String host;

    @Option(names = "--port", required = true)
    int port;

    @Option(names = "--ca", required = true, description = "PEM file the server chain must reach")
    Path ca;

    @Option(names = "--user", defaultValue = "bench")
    String user;

    @Option(
        names = "--password-env",
        defaultValue = "BENCH_PASSWORD",
        description = "environment variable holding the password (kept off the command line)")
    String passwordEnv;

    @Option(names = "--resume", description = "allow TLS session resumption (default: off)")
    boolean resume;

    @Option(
        names = "--sources",
        defaultValue = "1",
        description = "spread connections over this many source addresses 127.1.x.y")
    int sources;

    Target target() throws Exception {
      return target(port);
    }

    /** The same connection settings against another port (a second gateway to compare with). */
    Target target(int otherPort) throws Exception {
      return Target.of(protocol, host, otherPort, ca, resume, sources);
    }

    Workloads.Account account() {
      String password = System.getenv(passwordEnv);
      if (password == null || password.isEmpty()) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "environment variable " + passwordEnv + " is not set");
      }
      return new Workloads.Account(user, password);
    }
  }

  @Command(name = "login-storm", description = "connect, TLS, login, (select), logout")
  static final class LoginStorm implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--count", defaultValue = "1000")
    int count;

    @Option(names = "--concurrency", defaultValue = "8")
    int concurrency;

    @Override
    public Integer call() throws Exception {
      System.out.println(
          Workloads.loginStorm(connection.target(), connection.account(), count, concurrency));
      return 0;
    }
  }

  @Command(name = "bulk-fetch", description = "RETR every message / UID FETCH 1:* BODY.PEEK[]")
  static final class BulkFetch implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--sessions", defaultValue = "5")
    int sessions;

    @Option(names = "--concurrency", defaultValue = "1")
    int concurrency;

    @Override
    public Integer call() throws Exception {
      System.out.println(
          Workloads.bulkFetch(connection.target(), connection.account(), sessions, concurrency));
      return 0;
    }
  }

  @Command(
      name = "paired-fetch",
      description =
          "time to the first message byte of two gateways, one session each in turn (A B, B A, …)")
  static final class PairedFetch implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--sessions", defaultValue = "60", description = "sessions per gateway")
    int sessions;

    @Option(
        names = "--baseline-port",
        required = true,
        description = "the gateway to compare with; its figures go under \"baseline\"")
    int baselinePort;

    @Option(
        names = "--baseline-user",
        description = "its account (default: --user), with the same password")
    String baselineUser;

    @Option(
        names = "--all-messages",
        description = "fetch every message (default: the first only, which is what is timed)")
    boolean allMessages;

    @Override
    public Integer call() throws Exception {
      Workloads.Account account = connection.account();
      Workloads.Account baselineAccount =
          new Workloads.Account(
              baselineUser != null ? baselineUser : account.user(), account.password());
      System.out.println(
          Workloads.pairedFetch(
              connection.target(),
              account,
              connection.target(baselinePort),
              baselineAccount,
              sessions,
              allMessages));
      return 0;
    }
  }

  @Command(name = "idle-fleet", description = "N authenticated sessions held idle, then new mail")
  static final class IdleFleet implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--sessions", defaultValue = "1000")
    int sessions;

    @Option(names = "--ramp-concurrency", defaultValue = "32")
    int rampConcurrency;

    @Option(names = "--hold", defaultValue = "PT20S", description = "ISO-8601 duration")
    Duration hold;

    @Option(names = "--noop-every", defaultValue = "PT60S", description = "POP3 keepalive")
    Duration noopEvery;

    @Option(names = "--ready-file", description = "written with the session count once all are up")
    Path readyFile;

    @Option(names = "--maildir", description = "IMAP: deliver one message here after the hold")
    Path maildir;

    @Option(names = "--notify-timeout", defaultValue = "PT30S")
    Duration notifyTimeout;

    @Override
    public Integer call() throws Exception {
      if (connection.protocol == Target.Protocol.IMAP && maildir == null) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "an IMAP idle fleet needs --maildir to end its IDLE");
      }
      System.out.println(
          Workloads.idleFleet(
              connection.target(),
              connection.account(),
              sessions,
              rampConcurrency,
              hold,
              noopEvery,
              readyFile,
              maildir,
              notifyTimeout));
      return 0;
    }
  }

  @Command(name = "make-maildir", description = "write a reproducible Maildir of mixed messages")
  static final class MakeMaildir implements Callable<Integer> {
    @Option(names = "--dir", required = true)
    Path dir;

    @Option(names = "--count", defaultValue = "200")
    int count;

    @Option(names = "--seed", defaultValue = "10")
    long seed;

    @Option(
        names = "--copy-tag",
        description = "add an X-Bench-Copy header: same mail, other digests (filter caches)")
    String copyTag;

    @Override
    public Integer call() throws Exception {
      long bytes = new MaildirGenerator(seed, copyTag).write(dir, count);
      System.out.println(new Json.Obj().put("messages", count).put("bytes", bytes));
      return 0;
    }
  }

  @Command(name = "table", description = "print the Markdown table of a bench/run results file")
  static final class Table implements Callable<Integer> {
    @CommandLine.Parameters(index = "0", description = "JSON lines written by bench/run")
    Path results;

    @Override
    public Integer call() throws Exception {
      Report report = Report.read(results);
      report.print(System.out);
      System.out.println();
      report.printFirstByte(System.out);
      return 0;
    }
  }
}
