package io.portcullis.gateway.cli;

import io.portcullis.auth.Secret;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.SecondFactorRule;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code portcullis user …}: the local user directory (auth.mode: local). */
@Command(
    name = "user",
    mixinStandardHelpOptions = true,
    description =
        "Manage local users: passwords (Argon2id), TOTP, app passwords, upstream mapping.",
    subcommands = {
      UserCommand.Add.class,
      UserCommand.Passwd.class,
      UserCommand.Remove.class,
      UserCommand.ListUsers.class,
      UserCommand.Show.class,
      UserCommand.Totp.class,
      UserCommand.AppPassword.class,
      UserCommand.MapUpstream.class
    })
final class UserCommand {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration whose auth.users-file and auth.key-file are used.")
  Path config;

  <T> T withAdmin(AdminAction<T> action) {
    GatewayConfig c;
    try {
      c = config == null ? GatewayConfig.empty() : ConfigLoader.load(config);
    } catch (ConfigException e) {
      throw new CliException("invalid configuration:\n  " + e.getMessage());
    }
    try (UserAdministration admin = UserAdministration.open(c, Clock.systemUTC())) {
      return action.run(admin.admin(), System.out);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CliException(e.getMessage(), 1);
    } catch (RuntimeException e) {
      throw new CliException(e.getClass().getSimpleName() + ": " + e.getMessage(), 1);
    }
  }

  @FunctionalInterface
  interface AdminAction<T> {
    T run(UserAdmin admin, PrintStream out);
  }

  /** Reads a secret from the terminal without echo, or one line from standard input. */
  static Secret readSecret(String prompt) {
    Console console = System.console();
    if (console != null) {
      char[] first = console.readPassword("%s: ", prompt);
      char[] again = console.readPassword("%s (again): ", prompt);
      if (first == null || again == null || !java.util.Arrays.equals(first, again)) {
        throw new CliException("the two entries differ", 1);
      }
      return Secret.of(first);
    }
    try {
      String line =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new CliException("no " + prompt.toLowerCase(java.util.Locale.ROOT) + " on stdin", 1);
      }
      return Secret.of(line);
    } catch (IOException e) {
      throw new CliException("cannot read stdin: " + e.getMessage(), 1);
    }
  }

  @Command(
      name = "add",
      description = "Add a user; the password is read from the terminal or stdin.")
  static final class Add implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Option(names = "--group", paramLabel = "GROUP", description = "Group (repeatable).")
    List<String> groups = List.of();

    @Override
    public void run() {
      Secret password = readSecret("Password");
      parent.withAdmin(
          (admin, out) -> {
            admin.add(user, password, new LinkedHashSet<>(groups));
            out.println("added " + user);
            return null;
          });
    }
  }

  @Command(name = "passwd", description = "Set a user's password (terminal or stdin).")
  static final class Passwd implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Override
    public void run() {
      Secret password = readSecret("New password");
      parent.withAdmin(
          (admin, out) -> {
            admin.passwd(user, password);
            out.println("password of " + user + " changed");
            return null;
          });
    }
  }

  @Command(name = "remove", description = "Remove a user.")
  static final class Remove implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Override
    public void run() {
      boolean removed = parent.withAdmin((admin, out) -> admin.remove(user));
      if (!removed) {
        throw new CliException("no user " + user, 1);
      }
      System.out.println("removed " + user);
    }
  }

  @Command(name = "list", description = "List users.")
  static final class ListUsers implements Runnable {
    @ParentCommand UserCommand parent;

    @Override
    public void run() {
      parent.withAdmin(
          (admin, out) -> {
            admin
                .list()
                .forEach(
                    u ->
                        out.printf(
                            "%-24s groups=%s second-factor=%s totp=%s app-passwords=%d%n",
                            u.name(),
                            u.groups(),
                            u.secondFactor().name().toLowerCase(java.util.Locale.ROOT),
                            u.totp(),
                            u.appPasswords().size()));
            return null;
          });
    }
  }

  @Command(name = "show", description = "Show one user (never a secret).")
  static final class Show implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Override
    public void run() {
      parent.withAdmin(
          (admin, out) -> {
            var u = admin.show(user).orElseThrow(() -> new CliException("no user " + user, 1));
            out.println("user:            " + u.name());
            out.println("groups:          " + u.groups());
            out.println("second factor:   " + u.secondFactor());
            out.println("totp:            " + u.totp());
            out.println("recovery codes:  " + u.recoveryCodesLeft() + " left");
            out.println("password scheme: " + u.passwordScheme());
            out.println("upstream:        " + u.upstream());
            u.appPasswords()
                .forEach(
                    a ->
                        out.println(
                            "app password:    "
                                + a.name()
                                + " protocols="
                                + a.protocols()
                                + " created="
                                + a.created()
                                + " last-used="
                                + a.lastUsed().map(Object::toString).orElse("never")));
            return null;
          });
    }
  }

  @Command(
      name = "totp",
      description =
          "Enrol TOTP: prints the secret, an otpauth:// URI and a QR code, then asks for a first"
              + " code to confirm and prints recovery codes once.")
  static final class Totp implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Option(names = "--remove", description = "Remove TOTP and recovery codes (lost device).")
    boolean remove;

    @Option(names = "--require", description = "Always require a second factor for this user.")
    boolean require;

    @Override
    public void run() {
      parent.withAdmin(
          (admin, out) -> {
            if (remove) {
              admin.removeTotp(user);
              out.println("TOTP removed for " + user);
              return null;
            }
            var start = admin.enrolTotp(user);
            out.println("secret: " + start.secret());
            out.println("uri:    " + start.uri());
            out.println(start.qr());
            out.print("Code shown by the app: ");
            out.flush();
            String code;
            try {
              code =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                      .readLine();
            } catch (IOException e) {
              throw new CliException("cannot read the code", 1);
            }
            List<String> recovery = admin.confirmTotp(user, code == null ? "" : code.trim());
            if (require) {
              admin.setSecondFactor(user, SecondFactorRule.REQUIRED);
            }
            out.println("TOTP confirmed. Recovery codes (each works once; shown only now):");
            recovery.forEach(r -> out.println("  " + r));
            return null;
          });
    }
  }

  @Command(
      name = "app-password",
      description = "Issue (or --revoke) an app password; the value is shown once.")
  static final class AppPassword implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(paramLabel = "USER")
    String user;

    @Option(names = "--name", required = true, description = "A name for the device or app.")
    String name;

    @Option(
        names = "--protocol",
        paramLabel = "imap|pop3",
        description = "Limit to a protocol (repeatable; default both).")
    List<String> protocols = List.of();

    @Option(names = "--revoke", description = "Revoke the app password with this name.")
    boolean revoke;

    @Override
    public void run() {
      parent.withAdmin(
          (admin, out) -> {
            if (revoke) {
              if (!admin.revokeAppPassword(user, name)) {
                throw new CliException("no app password " + name + " for " + user, 1);
              }
              out.println("revoked " + name);
            } else {
              Set<String> p = new LinkedHashSet<>(protocols);
              out.println("app password " + name + ": " + admin.addAppPassword(user, name, p));
            }
            return null;
          });
    }
  }

  @Command(
      name = "map-upstream",
      description =
          "Log USER in upstream as UPSTREAM-USER, with a password read from the terminal or stdin"
              + " (stored encrypted with the master key); or, with --oauth-account instead of"
              + " UPSTREAM-USER, with the token the OAuth broker keeps for that account.")
  static final class MapUpstream implements Runnable {
    @ParentCommand UserCommand parent;

    @Parameters(index = "0", paramLabel = "USER")
    String user;

    @Parameters(index = "1", arity = "0..1", paramLabel = "UPSTREAM-USER")
    String upstreamUser;

    @Option(
        names = "--oauth-account",
        paramLabel = "ACCOUNT",
        description =
            "Log in upstream with the OAuth broker's token for ACCOUNT (oauth.accounts;"
                + " 'portcullis oauth authorize ACCOUNT' first) instead of a password.")
    String oauthAccount;

    @Override
    public void run() {
      if ((oauthAccount == null) == (upstreamUser == null)) {
        throw new CliException(
            "give UPSTREAM-USER (a password mapping) or --oauth-account ACCOUNT (whose login-user"
                + " is the name sent upstream), not both",
            2);
      }
      Optional<Secret> password =
          oauthAccount == null ? Optional.of(readSecret("Upstream password")) : Optional.empty();
      parent.withAdmin(
          (admin, out) -> {
            admin.mapUpstream(
                user,
                upstreamUser == null ? "" : upstreamUser,
                password,
                Optional.ofNullable(oauthAccount));
            out.println(
                oauthAccount == null
                    ? user + " logs in upstream as " + upstreamUser + " with a sealed password"
                    : user + " logs in upstream with the OAuth token of account " + oauthAccount);
            return null;
          });
    }
  }
}
