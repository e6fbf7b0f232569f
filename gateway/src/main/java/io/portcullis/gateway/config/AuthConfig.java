package io.portcullis.gateway.config;

import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.bearer.BearerSettings;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.auth.throttle.ThrottleSettings;
import io.portcullis.auth.totp.TotpParameters;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code auth:} — where identity is decided (docs/authentication.md). Mapped onto the auth-2fa
 * module's {@link AuthSettings}; absent keys take that module's defaults.
 *
 * @param mode {@code passthrough} (the upstream decides; default), {@code local} (user file:
 *     Argon2id, TOTP, app passwords), {@code bearer} (OAuth2 tokens only)
 * @param usersFile the user directory (YAML), default {@code data-dir/users.yml}
 * @param keyFile the master key file (mode 0600); absent: environment variable PORTCULLIS_KEY
 */
public record AuthConfig(
    String mode,
    Path usersFile,
    Path keyFile,
    SecondFactorConfig secondFactor,
    TotpConfig totp,
    PasswordConfig password,
    ThrottleConfig throttle,
    BearerConfig bearer) {

  public static final AuthConfig DEFAULT =
      new AuthConfig(null, null, null, null, null, null, null, null);

  public AuthConfig {
    mode = mode == null ? "passthrough" : mode.toLowerCase(Locale.ROOT);
    if (!List.of("passthrough", "local", "bearer").contains(mode)) {
      throw new IllegalArgumentException(
          "auth.mode is '" + mode + "' (expected one of: passthrough, local, bearer)");
    }
    secondFactor = secondFactor == null ? new SecondFactorConfig(null, null, null) : secondFactor;
    totp = totp == null ? new TotpConfig(null) : totp;
    password = password == null ? new PasswordConfig(null, null, null, null) : password;
    throttle = throttle == null ? new ThrottleConfig(null, null, null, null, null) : throttle;
    if (mode.equals("bearer") && bearer == null) {
      throw new IllegalArgumentException("auth.mode: bearer needs an auth.bearer section");
    }
  }

  /**
   * @param required {@code all} (default), {@code groups} or {@code none}
   * @param groups groups that need a second factor when {@code required: groups}
   * @param separator between password and TOTP code; empty (default): the last 6–8 digits
   */
  public record SecondFactorConfig(String required, List<String> groups, String separator) {
    public SecondFactorConfig {
      required = required == null ? "all" : required.toLowerCase(Locale.ROOT);
      groups = groups == null ? List.of() : List.copyOf(groups);
      separator = separator == null ? "" : separator;
    }
  }

  /**
   * @param issuer the name authenticator apps show for enrolled accounts
   */
  public record TotpConfig(String issuer) {
    public TotpConfig {
      issuer = issuer == null ? "Portcullis" : issuer;
    }
  }

  /**
   * Argon2id cost for new hashes (at least OWASP's m=19 MiB, t=2, p=1 is recommended) and how many
   * hashes run at once; more wait in a bounded queue, beyond it logins fail as temporary.
   */
  public record PasswordConfig(
      Integer memoryKib, Integer iterations, Integer maxConcurrent, Integer maxQueued) {}

  /**
   * Brute-force throttling (THREATS A6); the other limits keep the module's defaults.
   *
   * @param initialDelay delay after the first failure, doubling per failure (default 2s)
   * @param maxDelay cap (default 15s)
   * @param sourceBlockThreshold failures from one network before it is blocked (default 30)
   * @param userNetworkBlockThreshold failures for one user from one network (default 10)
   * @param accountFailureLimit consecutive failures per account, from anywhere (default 100)
   */
  public record ThrottleConfig(
      Duration initialDelay,
      Duration maxDelay,
      Integer sourceBlockThreshold,
      Integer userNetworkBlockThreshold,
      Integer accountFailureLimit) {}

  /** OAuth2 bearer token validation (RFC 7628 mechanisms, JWT access tokens). */
  public record BearerConfig(
      URI jwksUri,
      String issuer,
      List<String> audiences,
      List<String> requiredScopes,
      List<String> algorithms,
      String userClaim,
      Duration maxClockSkew) {}

  /** The auth-2fa module's settings for these keys. */
  public AuthSettings toSettings(Path dataDir) {
    ThrottleSettings t = ThrottleSettings.DEFAULT;
    ThrottleSettings throttleSettings =
        new ThrottleSettings(
            or(throttle.initialDelay(), t.initialDelay()),
            or(throttle.maxDelay(), t.maxDelay()),
            t.parallelAttempts(),
            or(throttle.sourceBlockThreshold(), t.sourceBlockThreshold()),
            t.sourceBlockDuration(),
            or(throttle.userNetworkBlockThreshold(), t.userNetworkBlockThreshold()),
            t.userNetworkBlockDuration(),
            or(throttle.accountFailureLimit(), t.accountFailureLimit()),
            t.accountBlockDuration(),
            t.forgetAfter(),
            t.knownNetworkMemory(),
            t.ipv4Prefix(),
            t.ipv6Prefix(),
            t.maxEntries());
    Argon2Cost owasp = Argon2Cost.OWASP;
    return new AuthSettings(
        AuthSettings.Mode.valueOf(mode.toUpperCase(Locale.ROOT)),
        usersFile == null ? dataDir.resolve("users.yml") : usersFile,
        Optional.ofNullable(keyFile),
        new AuthSettings.SecondFactor(
            AuthSettings.Requirement.valueOf(secondFactor.required().toUpperCase(Locale.ROOT)),
            Set.copyOf(secondFactor.groups()),
            secondFactor.separator()),
        new AuthSettings.Totp(TotpParameters.DEFAULT, totp.issuer()),
        new AuthSettings.Password(
            new Argon2Cost(
                or(password.memoryKib(), owasp.memoryKib()),
                or(password.iterations(), owasp.iterations()),
                owasp.parallelism()),
            or(password.maxConcurrent(), Runtime.getRuntime().availableProcessors()),
            or(password.maxQueued(), 64)),
        throttleSettings,
        Optional.ofNullable(bearer).map(AuthConfig::bearerSettings),
        SaslLimits.DEFAULT);
  }

  private static BearerSettings bearerSettings(BearerConfig b) {
    return new BearerSettings(
        b.jwksUri(),
        b.issuer(),
        Set.copyOf(or(b.audiences(), List.of())),
        Set.copyOf(or(b.requiredScopes(), List.of())),
        Set.copyOf(or(b.algorithms(), List.of("RS256", "ES256", "PS256"))),
        or(b.userClaim(), "preferred_username"),
        or(b.maxClockSkew(), Duration.ofSeconds(60)),
        Duration.ofMinutes(15),
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        Optional.empty());
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
