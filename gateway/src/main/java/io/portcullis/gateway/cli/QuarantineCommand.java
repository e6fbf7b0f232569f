package io.portcullis.gateway.cli;

import io.portcullis.filter.quarantine.QuarantineMetadata;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.filtering.FilterStores;
import io.portcullis.gateway.filtering.Releases;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code portcullis quarantine …}: the originals the filter withheld or rewrote. */
@Command(
    name = "quarantine",
    mixinStandardHelpOptions = true,
    description = {
      "List, inspect and release the originals of messages the filter withheld or rewrote.",
      "Entries are encrypted at rest under a key derived from the master key (auth.key-file,"
          + " PORTCULLIS_KEY, or DATA-DIR/master.key)."
    },
    subcommands = {
      QuarantineCommand.ListEntries.class,
      QuarantineCommand.Show.class,
      QuarantineCommand.Release.class,
      QuarantineCommand.Purge.class
    })
final class QuarantineCommand {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration whose data-dir, filter.quarantine-dir and key are used.")
  Path config;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Default: portcullis-data")
  Path dataDir;

  GatewayConfig configuration() {
    try {
      GatewayConfig c = config == null ? GatewayConfig.empty() : ConfigLoader.load(config);
      if (dataDir != null) {
        c =
            new GatewayConfig(
                dataDir,
                c.listeners(),
                c.upstreams(),
                c.tls(),
                c.limits(),
                c.insecureListener(),
                c.auth(),
                c.policy(),
                c.filter(),
                c.metrics());
      }
      return c;
    } catch (ConfigException e) {
      throw new CliException("invalid configuration:\n  " + e.getMessage());
    }
  }

  QuarantineStore store(GatewayConfig c) {
    if (!Files.isDirectory(FilterStores.quarantineDir(c))) {
      throw new CliException(
          "no quarantine store at " + FilterStores.quarantineDir(c) + " (nothing quarantined yet)",
          1);
    }
    try {
      return FilterStores.quarantine(c, FilterStores.masterKey(c), Clock.systemUTC());
    } catch (ConfigException | IOException e) {
      throw new CliException(e.getMessage(), 1);
    }
  }

  private static String line(QuarantineStore.Entry e) {
    QuarantineMetadata m = e.metadata();
    return String.format(
        Locale.ROOT,
        "%s  %s  %-24s %8d  %-28s %s | %s",
        e.id().substring(0, 12),
        m.storedAt(),
        m.account(),
        m.size(),
        String.join(",", m.labels()),
        printable(m.from()),
        printable(m.subject()));
  }

  /** Header values as received can carry control characters: never print them raw. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), 80));
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(Character.isISOControl(c) ? '?' : c);
    }
    return b.toString();
  }

  /** The entry whose id starts with {@code prefix} (at least 8 hex digits), exactly one. */
  static QuarantineStore.Entry find(QuarantineStore store, String prefix) throws IOException {
    String p = prefix.toLowerCase(Locale.ROOT);
    if (!p.matches("[0-9a-f]{8,64}")) {
      throw new CliException("an entry id is 8 to 64 hex digits (as 'quarantine list' shows)", 1);
    }
    List<QuarantineStore.Entry> matches =
        store.list(Optional.empty()).stream().filter(e -> e.id().startsWith(p)).toList();
    if (matches.isEmpty()) {
      throw new CliException("no quarantine entry " + prefix, 1);
    }
    if (matches.size() > 1) {
      throw new CliException("'" + prefix + "' names several entries; give more digits", 1);
    }
    return matches.getFirst();
  }

  @Command(name = "list", description = "One line per entry, oldest first.")
  static final class ListEntries implements Callable<Integer> {
    @ParentCommand QuarantineCommand parent;

    @Option(names = "--account", paramLabel = "ROUTE/USER", description = "Only this account.")
    String account;

    @Override
    public Integer call() throws IOException {
      GatewayConfig c = parent.configuration();
      if (!Files.isDirectory(FilterStores.quarantineDir(c))) {
        System.out.println("(no entries)");
        return 0;
      }
      List<QuarantineStore.Entry> entries =
          parent.store(c).list(Optional.ofNullable(account).map(a -> a.toLowerCase(Locale.ROOT)));
      if (entries.isEmpty()) {
        System.out.println("(no entries)");
      }
      entries.forEach(e -> System.out.println(line(e)));
      return 0;
    }
  }

  @Command(name = "show", description = "An entry's metadata and the findings that put it there.")
  static final class Show implements Callable<Integer> {
    @ParentCommand QuarantineCommand parent;

    @Parameters(paramLabel = "ID")
    String id;

    @Override
    public Integer call() throws IOException {
      QuarantineStore.Entry e = find(parent.store(parent.configuration()), id);
      QuarantineMetadata m = e.metadata();
      PrintStream out = System.out;
      out.println("id:       " + e.id() + " (SHA-256 of the original)");
      out.println("account:  " + m.account());
      out.println("stored:   " + m.storedAt());
      out.println("size:     " + m.size());
      out.println("from:     " + printable(m.from()));
      out.println("subject:  " + printable(m.subject()));
      out.println("labels:   " + String.join(", ", m.labels()));
      out.printf(Locale.ROOT, "score:    %.1f%n", m.score());
      out.println("released: " + (m.released() == null ? "never" : m.released()));
      out.println("reasons:");
      m.reasons().forEach(r -> out.println("  - " + printable(r)));
      return 0;
    }
  }

  @Command(
      name = "release",
      description = {
        "Release an original: the account's next session shows it again (POP3) or moves it back"
            + " from the quarantine mailbox (IMAP); with --to, also write the original to a file.",
        "The original is verified against its SHA-256 as it is read."
      })
  static final class Release implements Callable<Integer> {
    @ParentCommand QuarantineCommand parent;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(
        names = "--to",
        paramLabel = "FILE",
        description = "Write the original here (mode 0600; '-' for standard output).")
    Path to;

    @Option(
        names = "--no-redeliver",
        description = "Only write the original (--to); do not give it back to the mailbox.")
    boolean noRedeliver;

    @Override
    public Integer call() throws IOException {
      GatewayConfig c = parent.configuration();
      QuarantineStore store = parent.store(c);
      QuarantineStore.Entry e = find(store, id);
      if (to != null) {
        try (InputStream in = store.release(e.id());
            OutputStream out = open(to)) {
          in.transferTo(out);
        } catch (NoSuchElementException gone) {
          throw new CliException("no quarantine entry " + id, 1);
        }
      }
      if (!noRedeliver) {
        String location = location(e.metadata());
        if (location == null) {
          throw new CliException(
              "entry " + id + " does not say where it came from; use --to to retrieve it", 1);
        }
        try {
          Releases releases = new Releases(FilterStores.state(c));
          releases.request(
              new Releases.Release(
                  e.id(), e.metadata().account(), location, Clock.systemUTC().instant()));
        } catch (IOException ex) {
          throw new CliException("cannot record the release: " + ex.getMessage(), 1);
        }
        System.err.println(
            "release of "
                + e.id().substring(0, 12)
                + " recorded; it takes effect at the next session of "
                + e.metadata().account());
      } else if (to == null) {
        throw new CliException("--no-redeliver needs --to", 2);
      }
      return 0;
    }

    private static OutputStream open(Path file) throws IOException {
      if (file.toString().equals("-")) {
        return new java.io.FilterOutputStream(System.out) {
          @Override
          public void close() throws IOException {
            flush(); // keep standard output open
          }
        };
      }
      return Files.newOutputStream(
          Files.createFile(
              file,
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
          StandardOpenOption.WRITE);
    }

    /** The location the filter recorded among the reasons ("location: …"). */
    private static String location(QuarantineMetadata m) {
      for (String r : m.reasons()) {
        if (r.startsWith("location: ")) {
          return r.substring("location: ".length());
        }
      }
      return null;
    }
  }

  @Command(name = "purge", description = "Delete entries older than a retention period.")
  static final class Purge implements Callable<Integer> {
    @ParentCommand QuarantineCommand parent;

    @Option(
        names = "--older-than",
        required = true,
        paramLabel = "DURATION",
        description = "e.g. 30d, 12h")
    String olderThan;

    @Override
    public Integer call() throws IOException {
      Duration age;
      try {
        age = ConfigLoader.parseDuration(olderThan);
      } catch (IllegalArgumentException e) {
        throw new CliException(e.getMessage(), 2);
      }
      int n = parent.store(parent.configuration()).purgeOlderThan(age);
      System.out.println(n + " entries deleted");
      return 0;
    }
  }
}
