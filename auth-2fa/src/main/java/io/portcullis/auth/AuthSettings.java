package io.portcullis.auth;

import io.portcullis.auth.bearer.BearerSettings;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.auth.throttle.ThrottleSettings;
import io.portcullis.auth.totp.TotpParameters;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Authentication configuration ({@code auth.*} in portcullis.yml), validated when built.
 *
 * @param mode {@code auth.mode}
 * @param usersFile {@code auth.users-file}
 * @param keyFile {@code auth.key-file}; empty means the {@code PORTCULLIS_KEY} environment variable
 * @param secondFactor {@code auth.second-factor.*}
 * @param totp {@code auth.totp.*}
 * @param password {@code auth.password.argon2.*}
 * @param throttle {@code auth.throttle.*}
 * @param bearer {@code auth.bearer.*}; required in bearer mode, optional in local mode
 * @param sasl SASL size limits
 */
public record AuthSettings(
    Mode mode,
    Path usersFile,
    Optional<Path> keyFile,
    SecondFactor secondFactor,
    Totp totp,
    Password password,
    ThrottleSettings throttle,
    Optional<BearerSettings> bearer,
    SaslLimits sasl) {

  /** Where identity is decided. */
  public enum Mode {
    /**
     * Forward the client's credentials upstream; the upstream decides (throttling still applies).
     */
    PASSTHROUGH,
    /** Local directory: password + TOTP, app passwords; bearer tokens too if configured. */
    LOCAL,
    /** Bearer tokens only (XOAUTH2, OAUTHBEARER). */
    BEARER
  }

  /** Which users need a second factor. */
  public enum Requirement {
    ALL,
    GROUPS,
    NONE
  }

  /**
   * @param required who needs a second factor (a user's own setting may override)
   * @param groups the groups that need it when {@code required} is {@code GROUPS}
   * @param separator between password and code; empty means the code is the last 6–8 digits
   */
  public record SecondFactor(Requirement required, Set<String> groups, String separator) {
    public SecondFactor {
      Objects.requireNonNull(required, "required");
      groups = Set.copyOf(groups);
      Objects.requireNonNull(separator, "separator");
      if (separator.length() > 4 || separator.chars().anyMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException(
            "second-factor separator: at most 4 non-digit characters");
      }
      if (required == Requirement.GROUPS && groups.isEmpty()) {
        throw new IllegalArgumentException(
            "second-factor.groups must be set when required: groups");
      }
    }
  }

  /**
   * @param parameters for new enrolments and the drift window
   * @param issuer shown in authenticator apps
   */
  public record Totp(TotpParameters parameters, String issuer) {
    public Totp {
      Objects.requireNonNull(parameters, "parameters");
      Objects.requireNonNull(issuer, "issuer");
      if (issuer.isBlank() || issuer.contains(":")) {
        throw new IllegalArgumentException("totp.issuer must be non-empty and without ':'");
      }
    }
  }

  /**
   * @param cost Argon2id cost for new hashes
   * @param maxConcurrent hashes computed at once
   * @param maxQueued hashes waiting before new ones are refused as unavailable
   */
  public record Password(Argon2Cost cost, int maxConcurrent, int maxQueued) {
    public Password {
      Objects.requireNonNull(cost, "cost");
      if (maxConcurrent < 1 || maxQueued < 0) {
        throw new IllegalArgumentException("argon2 max-concurrent >= 1, max-queued >= 0");
      }
    }
  }

  /**
   * @throws IllegalArgumentException if bearer mode lacks bearer settings
   */
  public AuthSettings {
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(usersFile, "usersFile");
    Objects.requireNonNull(keyFile, "keyFile");
    Objects.requireNonNull(secondFactor, "secondFactor");
    Objects.requireNonNull(totp, "totp");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(throttle, "throttle");
    Objects.requireNonNull(bearer, "bearer");
    Objects.requireNonNull(sasl, "sasl");
    if (mode == Mode.BEARER && bearer.isEmpty()) {
      throw new IllegalArgumentException("auth.mode: bearer needs auth.bearer settings");
    }
  }

  /** Local mode, second factor for all, OWASP Argon2id, default TOTP and throttling. */
  public static AuthSettings localDefaults(Path usersFile, Optional<Path> keyFile) {
    return new AuthSettings(
        Mode.LOCAL,
        usersFile,
        keyFile,
        new SecondFactor(Requirement.ALL, Set.of(), ""),
        new Totp(TotpParameters.DEFAULT, "Portcullis"),
        new Password(Argon2Cost.OWASP, Runtime.getRuntime().availableProcessors(), 64),
        ThrottleSettings.DEFAULT,
        Optional.empty(),
        SaslLimits.DEFAULT);
  }
}
