package io.portcullis.gateway.cli;

import io.portcullis.auth.Secret;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.SecondFactorRule;
import io.portcullis.auth.totp.Base32;
import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import io.portcullis.gateway.config.GatewayConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;

/**
 * The demo's local users, made afresh at each start: the plain demo account, a user with password +
 * TOTP, and a user who logs in with an app password. All read the same upstream mailbox.
 */
record DemoUsers(String totpSecret, String appPassword) {
  static final String TWO_FACTOR_USER = "alice";
  static final String TWO_FACTOR_PASSWORD = "alice-demo";
  static final String APP_PASSWORD_USER = "bob";

  static DemoUsers create(GatewayConfig config, String upstreamUser, String upstreamPassword) {
    try {
      Files.createDirectories(config.dataDir());
      Files.deleteIfExists(config.auth().toSettings(config.dataDir()).usersFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Clock clock = Clock.systemUTC();
    try (UserAdministration administration = UserAdministration.open(config, clock)) {
      UserAdmin admin = administration.admin();
      add(admin, DemoCommand.USER, DemoCommand.PASSWORD, upstreamUser, upstreamPassword);
      add(admin, TWO_FACTOR_USER, TWO_FACTOR_PASSWORD, upstreamUser, upstreamPassword);
      String secret = admin.enrolTotp(TWO_FACTOR_USER).secret();
      Totp totp = new Totp(TotpParameters.DEFAULT, clock);
      admin.confirmTotp(TWO_FACTOR_USER, totp.generate(Base32.decode(secret), totp.currentStep()));
      admin.setSecondFactor(TWO_FACTOR_USER, SecondFactorRule.REQUIRED);
      add(admin, APP_PASSWORD_USER, "bob-is-not-enough", upstreamUser, upstreamPassword);
      admin.setSecondFactor(APP_PASSWORD_USER, SecondFactorRule.REQUIRED);
      String app = admin.addAppPassword(APP_PASSWORD_USER, "demo-client", Set.of());
      return new DemoUsers(secret, app);
    }
  }

  private static void add(
      UserAdmin admin, String user, String password, String upstreamUser, String upstreamPassword) {
    admin.add(user, Secret.of(password), Set.of());
    admin.mapUpstream(
        user, upstreamUser, Optional.of(Secret.of(upstreamPassword)), Optional.empty());
  }

  /** The line a person copies to try the TOTP user (format fixed by the issue). */
  String twoFactorLine() {
    return "2fa user: "
        + TWO_FACTOR_USER
        + " password: "
        + TWO_FACTOR_PASSWORD
        + " totp-secret: "
        + totpSecret;
  }

  /** The line a person copies to try the app-password user (format fixed by the issue). */
  String appPasswordLine() {
    return "app-password user: " + APP_PASSWORD_USER + " app-password: " + appPassword;
  }
}
