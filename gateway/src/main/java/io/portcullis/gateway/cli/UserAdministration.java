package io.portcullis.gateway.cli;

import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.audit.AuditFormatter;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.gateway.config.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the user directory of a configuration for the {@code user} commands and the demo, with the
 * master key (generated on first use when a key file is configured and absent).
 */
final class UserAdministration implements AutoCloseable {
  private static final Logger AUDIT = LoggerFactory.getLogger("portcullis.audit");

  private final PasswordHasher hasher;
  private final UserAdmin admin;
  private final UserDirectory directory;

  private UserAdministration(AuthSettings settings, Clock clock) {
    MasterKey key =
        settings
            .keyFile()
            .map(
                file ->
                    Files.exists(file)
                        ? MasterKey.fromFile(file)
                        : MasterKey.generate(file, new SecureRandom()))
            .orElseGet(MasterKey::fromEnvironment);
    this.hasher =
        new PasswordHasher(
            settings.password().cost(),
            settings.password().maxConcurrent(),
            settings.password().maxQueued());
    this.directory = UserDirectory.open(settings.usersFile());
    this.admin =
        new UserAdmin(
            directory,
            hasher,
            new SecretBox(key),
            settings.totp(),
            clock,
            event -> AUDIT.info(AuditFormatter.toJsonLine(event)));
  }

  static UserAdministration open(GatewayConfig config, Clock clock) {
    return new UserAdministration(config.auth().toSettings(config.dataDir()), clock);
  }

  UserAdmin admin() {
    return admin;
  }

  Path usersFile() {
    return directory.file();
  }

  @Override
  public void close() {
    hasher.close();
  }
}
