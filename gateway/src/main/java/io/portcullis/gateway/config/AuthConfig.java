package io.portcullis.gateway.config;

import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.Secret;
import io.portcullis.auth.bearer.BearerSettings;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.auth.throttle.ThrottleSettings;
import io.portcullis.auth.totp.TotpAlgorithm;
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
    totp = totp == null ? new TotpConfig(null, null, null, null, null) : totp;
    password = password == null ? new PasswordConfig(null, null, null) : password;
    throttle = throttle == null ? ThrottleConfig.delays(null, null) : throttle;
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
   * RFC 6238 parameters for new enrolments and the drift window.
   *
   * @param issuer the name authenticator apps show
   * @param algorithm SHA1 (default; every app supports it), SHA256 or SHA512
   * @param digits 6 (default) to 8
   * @param period seconds per code, default 30
   * @param window steps of clock drift accepted either side, default 1
   */
  public record TotpConfig(
      String issuer, String algorithm, Integer digits, Integer period, Integer window) {
    public TotpConfig {
      issuer = issuer == null ? "Portcullis" : issuer;
    }

    TotpParameters parameters() {
      TotpParameters d = TotpParameters.DEFAULT;
      return new TotpParameters(
          algorithm == null
              ? d.algorithm()
              : TotpAlgorithm.valueOf(algorithm.toUpperCase(Locale.ROOT).replace("-", "")),
          or(digits, d.digits()),
          or(period, d.periodSeconds()),
          or(window, d.window()));
    }
  }

  /**
   * Password hashing: Argon2id cost for new hashes (at least OWASP's m=19 MiB, t=2, p=1) and how
   * many hashes run at once; more wait in a bounded queue, beyond it logins fail as temporary.
   */
  public record PasswordConfig(Argon2Config argon2, Integer maxConcurrent, Integer maxQueued) {}

  /** Argon2id cost parameters. */
  public record Argon2Config(Integer memoryKib, Integer iterations, Integer parallelism) {}

  /** Brute-force throttling (THREATS A6); absent keys keep the auth module's defaults. */
  public record ThrottleConfig(
      Duration initialDelay,
      Duration maxDelay,
      Integer parallelAttempts,
      Integer sourceBlockThreshold,
      Duration sourceBlockDuration,
      Integer userNetworkBlockThreshold,
      Duration userNetworkBlockDuration,
      Integer accountFailureLimit,
      Duration accountBlockDuration,
      Duration forgetAfter,
      Duration knownNetworkMemory,
      Integer ipv4Prefix,
      Integer ipv6Prefix,
      Long maxEntries) {

    /** Just the delays, for tests and small setups. */
    public static ThrottleConfig delays(Duration initial, Duration max) {
      return new ThrottleConfig(
          initial, max, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    ThrottleSettings settings() {
      ThrottleSettings t = ThrottleSettings.DEFAULT;
      return new ThrottleSettings(
          or(initialDelay, t.initialDelay()),
          or(maxDelay, t.maxDelay()),
          or(parallelAttempts, t.parallelAttempts()),
          or(sourceBlockThreshold, t.sourceBlockThreshold()),
          or(sourceBlockDuration, t.sourceBlockDuration()),
          or(userNetworkBlockThreshold, t.userNetworkBlockThreshold()),
          or(userNetworkBlockDuration, t.userNetworkBlockDuration()),
          or(accountFailureLimit, t.accountFailureLimit()),
          or(accountBlockDuration, t.accountBlockDuration()),
          or(forgetAfter, t.forgetAfter()),
          or(knownNetworkMemory, t.knownNetworkMemory()),
          or(ipv4Prefix, t.ipv4Prefix()),
          or(ipv6Prefix, t.ipv6Prefix()),
          or(maxEntries, t.maxEntries()));
    }
  }

  /** OAuth2 bearer token validation (RFC 7628 mechanisms, JWT access tokens). */
  public record BearerConfig(
      URI jwksUri,
      String issuer,
      List<String> audiences,
      List<String> requiredScopes,
      List<String> algorithms,
      String userClaim,
      Duration maxClockSkew,
      Duration jwksCacheTtl,
      Duration jwksMinRefreshInterval,
      Duration httpTimeout,
      IntrospectionConfig introspection) {}

  /**
   * RFC 7662 introspection for opaque tokens.
   *
   * @param clientSecretFile a file holding the client secret (never the secret in this file)
   */
  public record IntrospectionConfig(URI endpoint, String clientId, Path clientSecretFile) {}

  /** The auth-2fa module's settings for these keys. */
  public AuthSettings toSettings(Path dataDir) {
    Argon2Cost owasp = Argon2Cost.OWASP;
    Argon2Config argon2 =
        password.argon2() == null ? new Argon2Config(null, null, null) : password.argon2();
    return new AuthSettings(
        AuthSettings.Mode.valueOf(mode.toUpperCase(Locale.ROOT)),
        usersFile == null ? dataDir.resolve("users.yml") : usersFile,
        Optional.ofNullable(keyFile),
        new AuthSettings.SecondFactor(
            AuthSettings.Requirement.valueOf(secondFactor.required().toUpperCase(Locale.ROOT)),
            Set.copyOf(secondFactor.groups()),
            secondFactor.separator()),
        new AuthSettings.Totp(totp.parameters(), totp.issuer()),
        new AuthSettings.Password(
            new Argon2Cost(
                or(argon2.memoryKib(), owasp.memoryKib()),
                or(argon2.iterations(), owasp.iterations()),
                or(argon2.parallelism(), owasp.parallelism())),
            or(password.maxConcurrent(), Runtime.getRuntime().availableProcessors()),
            or(password.maxQueued(), 64)),
        throttle.settings(),
        Optional.ofNullable(bearer).map(AuthConfig::bearerSettings),
        SaslLimits.DEFAULT);
  }

  private static BearerSettings bearerSettings(BearerConfig b) {
    Optional<BearerSettings.Introspection> introspection =
        Optional.ofNullable(b.introspection())
            .map(
                i ->
                    new BearerSettings.Introspection(
                        i.endpoint(), i.clientId(), readSecret(i.clientSecretFile())));
    return new BearerSettings(
        b.jwksUri(),
        b.issuer(),
        Set.copyOf(or(b.audiences(), List.of())),
        Set.copyOf(or(b.requiredScopes(), List.of())),
        Set.copyOf(or(b.algorithms(), List.of("RS256", "ES256", "PS256"))),
        or(b.userClaim(), "preferred_username"),
        or(b.maxClockSkew(), Duration.ofSeconds(60)),
        or(b.jwksCacheTtl(), Duration.ofMinutes(5)),
        or(b.jwksMinRefreshInterval(), Duration.ofSeconds(30)),
        or(b.httpTimeout(), Duration.ofSeconds(5)),
        introspection);
  }

  private static Secret readSecret(Path file) {
    if (file == null) {
      throw new IllegalArgumentException(
          "auth.bearer.introspection.client-secret-file is required");
    }
    try {
      return Secret.of(java.nio.file.Files.readString(file).strip());
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(
          "auth.bearer.introspection.client-secret-file: cannot read " + file);
    }
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
