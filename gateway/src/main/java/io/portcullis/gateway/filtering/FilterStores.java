package io.portcullis.gateway.filtering;

import io.portcullis.auth.secret.KeyFileException;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.filter.spam.SpamModel;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the filter's stores from the configuration, the same way for {@code serve} and for the
 * {@code quarantine} command: the master key, the quarantine and rendition stores under keys
 * derived from it, and the durable state. Stateless.
 */
public final class FilterStores {
  private static final Logger LOG = LoggerFactory.getLogger(FilterStores.class);

  /** The key file used when neither {@code auth.key-file} nor the environment names a key. */
  public static final String DEFAULT_KEY_FILE = "master.key";

  private FilterStores() {}

  /**
   * The master key: {@code auth.key-file} if configured, else {@code PORTCULLIS_KEY}, else {@code
   * data-dir/master.key}. A missing key file is generated (mode 0600) and said so in the log.
   *
   * @throws ConfigException if the key file exists but is unusable (mode, content)
   */
  public static MasterKey masterKey(GatewayConfig config) throws ConfigException {
    try {
      Path file = config.auth().keyFile();
      if (file == null) {
        String env = System.getenv(MasterKey.ENVIRONMENT_VARIABLE);
        if (env != null && !env.isBlank()) {
          return MasterKey.fromEnvironment();
        }
        file = config.dataDir().resolve(DEFAULT_KEY_FILE);
      }
      if (Files.exists(file)) {
        return MasterKey.fromFile(file);
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      MasterKey key = MasterKey.generate(file, new SecureRandom());
      LOG.warn(
          "generated a new master key in {} (mode 0600); back it up: the quarantine store and"
              + " sealed secrets cannot be read without it",
          file);
      return key;
    } catch (KeyFileException e) {
      throw new ConfigException("master key: " + e.getMessage());
    } catch (IOException e) {
      throw new ConfigException("master key: " + e.getMessage());
    }
  }

  /**
   * Where originals are kept: {@code filter.quarantine-dir}, default {@code data-dir/quarantine}.
   */
  public static Path quarantineDir(GatewayConfig config) {
    Path dir = config.filter().quarantineDir();
    return dir != null ? dir : config.dataDir().resolve("quarantine");
  }

  /** The quarantine store, encrypted with a key derived from the master key. */
  public static QuarantineStore quarantine(GatewayConfig config, MasterKey key, Clock clock)
      throws IOException {
    return QuarantineStore.encrypted(quarantineDir(config), key.derive("quarantine"), clock);
  }

  /** The durable state under {@code data-dir/state}. */
  public static StateStore state(GatewayConfig config) throws IOException {
    return new StateStore(config.dataDir().resolve("state"));
  }

  /**
   * The gateway's message filter with every store open.
   *
   * @throws ConfigException if the key, the model or a store cannot be opened
   */
  public static MessageFilter open(GatewayConfig config, AuditLog audit, Clock clock)
      throws ConfigException {
    MasterKey key = masterKey(config);
    try {
      StateStore state = state(config);
      QuarantineStore quarantine = quarantine(config, key, clock);
      QuarantineStore renditions =
          QuarantineStore.encrypted(
              config.dataDir().resolve("renditions"), key.derive("renditions"), clock);
      Path spool = config.dataDir().resolve("spool");
      FilterSettings settings =
          FilterSettings.defaults().withClock(clock).withScratchDir(spool.resolve("scan"));
      MessageAnalyzer analyzer = MessageAnalyzer.create(settings, model(config));
      return new MessageFilter(
          analyzer,
          quarantine,
          renditions,
          state,
          spool,
          config.filter().threads(),
          config.filter().scanTimeoutDuration(),
          audit,
          clock);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("filter: " + e.getMessage());
    }
  }

  private static Optional<SpamModel> model(GatewayConfig config) throws IOException {
    Path file = config.filter().model();
    if (file == null) {
      file = config.dataDir().resolve("spam-model.bin");
      if (!Files.exists(file)) {
        return Optional.empty();
      }
    }
    return Optional.of(SpamModel.load(file));
  }
}
