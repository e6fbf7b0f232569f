package io.portcullis.gateway.cli;

import io.portcullis.auth.oauth.CodeAuthorization;
import io.portcullis.auth.oauth.DeviceAuthorization;
import io.portcullis.auth.oauth.EncryptedTokenStore;
import io.portcullis.auth.oauth.OAuthAccount;
import io.portcullis.auth.oauth.OAuthBroker;
import io.portcullis.auth.oauth.OAuthException;
import io.portcullis.auth.oauth.OAuthSettings;
import io.portcullis.auth.oauth.TokenStatus;
import io.portcullis.auth.oauth.TokenStoreException;
import io.portcullis.auth.secret.KeyFileException;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.GatewayConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code portcullis oauth …}: authorise, list, show and revoke upstream OAuth accounts. */
@Command(
    name = "oauth",
    mixinStandardHelpOptions = true,
    description = "Upstream OAuth2 accounts: obtain, inspect and revoke the broker's tokens.",
    subcommands = {
      OAuthCommand.Authorize.class,
      OAuthCommand.ListAccounts.class,
      OAuthCommand.Show.class,
      OAuthCommand.Revoke.class
    })
final class OAuthCommand {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Configuration with the oauth: section (providers, accounts, store).")
  Path config;

  /** {@code --config} of a subcommand; it may come before or after the subcommand's name. */
  abstract static class Sub {
    @ParentCommand OAuthCommand parent;

    @Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Configuration with the oauth: section (providers, accounts, store).")
    Path config;

    Opened open() {
      Path file = config != null ? config : parent.config;
      if (file == null) {
        throw new CliException("--config FILE is required (the file with the oauth: section)", 2);
      }
      return parent.open(file);
    }
  }

  /** The oauth settings of --config and the store they name, opened with the master key. */
  record Opened(OAuthSettings settings, SecretBox box, EncryptedTokenStore store) {}

  Opened open(Path config) {
    GatewayConfig c;
    try {
      c = ConfigLoader.load(config);
    } catch (ConfigException e) {
      throw new CliException("invalid configuration:\n  " + e.getMessage());
    }
    if (c.oauth() == null) {
      throw new CliException(config + " has no oauth: section (see docs/oauth.md)", 2);
    }
    try {
      OAuthSettings settings =
          c.oauth().toSettings(c.dataDir(), Optional.ofNullable(c.auth().keyFile()));
      MasterKey key =
          settings.keyFile().map(MasterKey::fromFile).orElseGet(MasterKey::fromEnvironment);
      SecretBox box = new SecretBox(key);
      return new Opened(settings, box, EncryptedTokenStore.open(settings.storeFile(), box));
    } catch (KeyFileException | TokenStoreException | IllegalArgumentException e) {
      throw new CliException(e.getMessage(), 1);
    }
  }

  static OAuthAccount account(OAuthSettings settings, String name) {
    return settings
        .account(name)
        .orElseThrow(
            () ->
                new CliException(
                    "no oauth account '"
                        + name
                        + "' in the configuration (oauth.accounts: "
                        + String.join(", ", settings.accounts().keySet())
                        + ")",
                    2));
  }

  static void print(PrintStream out, TokenStatus s, OAuthAccount account) {
    out.println("account:             " + s.account());
    out.println("provider:            " + account.provider());
    out.println("login user:          " + account.loginUser());
    out.println("token owner:         " + account.owner() + (account.shared() ? " (shared)" : ""));
    out.println("refresh token:       " + (s.refreshToken() ? "stored" : "none"));
    out.println("authorised:          " + s.authorizedAt().map(Instant::toString).orElse("-"));
    out.println("last token:          " + s.refreshedAt().map(Instant::toString).orElse("-"));
    out.println(
        "access token until:  " + s.accessTokenExpiresAt().map(Instant::toString).orElse("-"));
    out.println(
        "refresh token until: "
            + s.refreshTokenExpiresAt().map(Instant::toString).orElse("(provider does not say)"));
    out.println("scope:               " + (s.scope().isEmpty() ? "-" : s.scope()));
  }

  @Command(
      name = "authorize",
      aliases = "authorise",
      description = {
        "Obtain and store a refresh token for ACCOUNT.",
        "Default: authorization code with PKCE; open the printed address in a browser. If the"
            + " browser runs on another machine, paste the address it ends on (it shows an error"
            + " page) here. --device: device authorization grant for headless servers."
      })
  static final class Authorize extends Sub implements Runnable {

    @Parameters(paramLabel = "ACCOUNT")
    String account;

    @Option(names = "--device", description = "Use the device authorization grant (RFC 8628).")
    boolean device;

    @Option(
        names = "--timeout",
        paramLabel = "DURATION",
        defaultValue = "10m",
        description = "How long to wait for the browser (default: ${DEFAULT-VALUE}).")
    String timeout;

    @Override
    public void run() {
      Opened o = open();
      OAuthAccount a = account(o.settings(), account);
      PrintStream out = System.out;
      try {
        TokenStatus status = device ? device(o, out) : code(o, out);
        out.println();
        out.println("authorised " + account + "; tokens stored in " + o.store().file());
        print(out, status, a);
      } catch (OAuthException e) {
        throw new CliException(e.getMessage(), 1);
      } catch (IOException e) {
        throw new CliException("cannot reach the provider: " + e.getMessage(), 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException("interrupted", 1);
      }
    }

    private TokenStatus code(Opened o, PrintStream out) throws IOException, InterruptedException {
      Duration wait = ConfigLoader.parseDuration(timeout);
      try (CodeAuthorization auth = CodeAuthorization.start(o.settings(), account, o.store())) {
        out.println("Open this address in a browser and sign in as the account's owner:");
        out.println();
        out.println("  " + auth.authorizationUrl());
        out.println();
        out.println("Waiting for the redirect to " + auth.redirectUri() + " ...");
        out.println(
            "If the browser is on another machine, it ends on an error page: paste that page's"
                + " address here and press Enter.");
        out.flush();
        BufferedReader stdin =
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        return auth.complete(Optional.of(stdin), System.err::println, wait);
      }
    }

    private TokenStatus device(Opened o, PrintStream out) throws IOException, InterruptedException {
      DeviceAuthorization auth = DeviceAuthorization.of(o.settings(), account, o.store());
      DeviceAuthorization.Prompt prompt = auth.start();
      out.println("On any device, open " + prompt.verificationUri());
      out.println("and enter the code:  " + prompt.userCode());
      prompt.verificationUriComplete().ifPresent(u -> out.println("(or open " + u + ")"));
      out.println("Waiting until " + prompt.expiresAt() + " ...");
      out.flush();
      return auth.await();
    }
  }

  @Command(name = "list", description = "Configured accounts and whether each is authorised.")
  static final class ListAccounts extends Sub implements Runnable {

    @Override
    public void run() {
      Opened o = open();
      Map<String, TokenStatus> stored = o.store().statuses();
      PrintStream out = System.out;
      out.printf("%-24s %-12s %-32s %s%n", "ACCOUNT", "PROVIDER", "LOGIN USER", "STATE");
      o.settings().accounts().values().stream()
          .sorted(java.util.Comparator.comparing(OAuthAccount::name))
          .forEach(
              a -> {
                TokenStatus s = stored.get(a.name());
                String state =
                    s == null || !s.refreshToken()
                        ? "not authorised"
                        : "authorised "
                            + s.authorizedAt().map(Instant::toString).orElse("")
                            + s.refreshTokenExpiresAt()
                                .map(t -> ", refresh token until " + t)
                                .orElse("");
                out.printf("%-24s %-12s %-32s %s%n", a.name(), a.provider(), a.loginUser(), state);
              });
      stored.keySet().stream()
          .filter(k -> o.settings().account(k).isEmpty())
          .forEach(
              k -> out.printf("%-24s %-12s %-32s %s%n", k, "-", "-", "stored, not configured"));
    }
  }

  @Command(name = "show", description = "What is stored for ACCOUNT (never the tokens).")
  static final class Show extends Sub implements Runnable {

    @Parameters(paramLabel = "ACCOUNT")
    String account;

    @Override
    public void run() {
      Opened o = open();
      OAuthAccount a = account(o.settings(), account);
      TokenStatus s =
          o.store()
              .status(account)
              .orElseThrow(
                  () ->
                      new CliException(
                          account
                              + " is not authorised; run `portcullis oauth authorize "
                              + account
                              + "`",
                          1));
      print(System.out, s, a);
    }
  }

  @Command(
      name = "revoke",
      description =
          "Revoke ACCOUNT's refresh token at the provider (where it offers RFC 7009) and delete"
              + " the stored tokens.")
  static final class Revoke extends Sub implements Runnable {

    @Parameters(paramLabel = "ACCOUNT")
    String account;

    @Override
    public void run() {
      Opened o = open();
      account(o.settings(), account);
      if (o.store().status(account).isEmpty()) {
        System.out.println(account + " has no stored tokens");
        return;
      }
      try (OAuthBroker broker = OAuthBroker.create(o.settings(), o.box(), Clock.systemUTC())) {
        boolean confirmed = broker.revoke(account);
        System.out.println(
            "deleted the tokens of "
                + account
                + (confirmed
                    ? "; the provider confirmed the revocation"
                    : "; the provider did not confirm a revocation (Microsoft offers none:"
                        + " remove the app's consent in the account's settings)"));
      }
    }
  }
}
