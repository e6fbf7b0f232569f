package io.portcullis.auth;

import io.portcullis.auth.audit.AuthEvent;
import io.portcullis.auth.directory.AppPassword;
import io.portcullis.auth.directory.SecondFactorRule;
import io.portcullis.auth.directory.TotpEnrolment;
import io.portcullis.auth.directory.UpstreamMapping;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.directory.UserRecord;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.password.PasswordHashes;
import io.portcullis.auth.password.TokenDigest;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.secret.SecretContext;
import io.portcullis.auth.totp.Base32;
import io.portcullis.auth.totp.OtpauthUri;
import io.portcullis.auth.totp.QrTerminal;
import io.portcullis.auth.totp.RecoveryCodes;
import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * User management behind {@code portcullis user ...}: the CLI parses arguments and prints; this
 * class does the work, writes the directory and emits audit events. Secrets it generates are
 * returned once and stored only as digests or sealed blobs. Thread-safe (the directory serialises
 * writes).
 */
public final class UserAdmin implements AutoCloseable {
  /** What {@link #list} and {@link #show} print: nothing secret, not even digests. */
  public record UserSummary(
      String name,
      Set<String> groups,
      SecondFactorRule secondFactor,
      String totp,
      int recoveryCodesLeft,
      List<AppPasswordSummary> appPasswords,
      String passwordScheme,
      String upstream) {}

  /** An app password as listed. */
  public record AppPasswordSummary(
      String name, Set<String> protocols, Instant created, Optional<Instant> lastUsed) {}

  /**
   * The start of a TOTP enrolment, shown once.
   *
   * @param secret base32 secret for manual entry
   * @param uri the otpauth:// URI
   * @param qr the URI as a QR code for a terminal
   */
  public record TotpEnrolmentStart(String secret, String uri, String qr) {
    @Override
    public String toString() {
      return "TotpEnrolmentStart[redacted]";
    }
  }

  private final UserDirectory directory;
  private final PasswordHasher hasher;
  private final SecretBox box;
  private final AuthSettings.Totp totp;
  private final Clock clock;
  private final Consumer<AuthEvent> audit;
  private final SecureRandom random = new SecureRandom();
  private final AutoCloseable owned;

  public UserAdmin(
      UserDirectory directory,
      PasswordHasher hasher,
      SecretBox box,
      AuthSettings.Totp totp,
      Clock clock,
      Consumer<AuthEvent> audit) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.box = Objects.requireNonNull(box, "box");
    this.totp = Objects.requireNonNull(totp, "totp");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.audit = Objects.requireNonNull(audit, "audit");
    this.owned = () -> {};
  }

  private UserAdmin(
      UserDirectory directory,
      PasswordHasher hasher,
      SecretBox box,
      AuthSettings.Totp totp,
      Clock clock,
      Consumer<AuthEvent> audit,
      AutoCloseable owned) {
    this.directory = directory;
    this.hasher = hasher;
    this.box = box;
    this.totp = totp;
    this.clock = clock;
    this.audit = audit;
    this.owned = owned;
  }

  /**
   * Everything the CLI needs from the configuration: the user file, the master key (key file or
   * {@code PORTCULLIS_KEY}) and a hasher with the configured cost. Close it when done.
   *
   * @throws io.portcullis.auth.secret.KeyFileException if the master key cannot be loaded
   * @throws io.portcullis.auth.directory.UserFileException if the user file is invalid
   */
  public static UserAdmin open(AuthSettings settings, Clock clock, Consumer<AuthEvent> audit) {
    SecretBox box =
        new SecretBox(
            settings
                .keyFile()
                .map(io.portcullis.auth.secret.MasterKey::fromFile)
                .orElseGet(io.portcullis.auth.secret.MasterKey::fromEnvironment));
    UserDirectory directory = UserDirectory.open(settings.usersFile());
    PasswordHasher hasher =
        new PasswordHasher(
            settings.password().cost(),
            settings.password().maxConcurrent(),
            settings.password().maxQueued());
    return new UserAdmin(directory, hasher, box, settings.totp(), clock, audit, hasher);
  }

  @Override
  public void close() {
    try {
      owned.close();
    } catch (Exception e) {
      // Only executors are owned; shutting them down does not fail in a way that matters.
    }
  }

  /**
   * Adds a user with an Argon2id hash of {@code password}.
   *
   * @throws IllegalArgumentException if the name is invalid or taken
   */
  public void add(String user, Secret password, Set<String> groups) {
    String hash = hasher.hash(password).join();
    directory.add(UserRecord.of(user, hash).withGroups(groups));
    event(AuthEvent.Type.USER_ADDED, user, "add");
  }

  /** Sets a new password. @throws IllegalArgumentException if the user does not exist */
  public void passwd(String user, Secret password) {
    String hash = hasher.hash(password).join();
    require(directory.update(user, u -> u.withPasswordHash(hash)), user);
    event(AuthEvent.Type.PASSWORD_CHANGED, user, "passwd");
  }

  /** Sets the user's second-factor rule. */
  public void setSecondFactor(String user, SecondFactorRule rule) {
    require(directory.update(user, u -> u.withSecondFactor(rule)), user);
  }

  /** Removes a user; returns whether it existed. */
  public boolean remove(String user) {
    boolean removed = directory.remove(user);
    if (removed) {
      event(AuthEvent.Type.USER_REMOVED, user, "remove");
    }
    return removed;
  }

  public List<UserSummary> list() {
    return directory.users().stream().map(UserAdmin::summary).toList();
  }

  public Optional<UserSummary> show(String user) {
    return directory.find(user).map(UserAdmin::summary);
  }

  /**
   * Starts (or restarts a pending) TOTP enrolment: a new secret, stored sealed and unconfirmed.
   * Until {@link #confirmTotp} succeeds the user logs in as before.
   *
   * @throws IllegalArgumentException if the user has a confirmed enrolment: replacing it silently
   *     would drop the factor until the new one is confirmed; {@link #removeTotp} it first
   */
  public TotpEnrolmentStart enrolTotp(String user) {
    if (directory.find(user).flatMap(UserRecord::confirmedTotp).isPresent()) {
      throw new IllegalArgumentException(
          user + " already has a confirmed TOTP enrolment; remove it first");
    }
    TotpParameters p = totp.parameters();
    byte[] seed = new byte[p.algorithm().keyBytes()];
    random.nextBytes(seed);
    try {
      String sealed = box.seal(seed, SecretContext.totpSeed(user));
      TotpEnrolment pending =
          new TotpEnrolment(sealed, p.algorithm(), p.digits(), p.periodSeconds(), false);
      require(directory.update(user, u -> u.withTotp(Optional.of(pending))), user);
      String uri = OtpauthUri.build(totp.issuer(), user, seed, p);
      event(AuthEvent.Type.TOTP_ENROLMENT_STARTED, user, "totp");
      return new TotpEnrolmentStart(Base32.encode(seed), uri, QrTerminal.render(uri));
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  /**
   * Confirms a pending enrolment with a current code and issues recovery codes.
   *
   * @return the recovery codes, to be shown once
   * @throws IllegalArgumentException if there is no pending enrolment or the code is wrong
   */
  public List<String> confirmTotp(String user, String code) {
    UserRecord record =
        directory.find(user).orElseThrow(() -> new IllegalArgumentException("no user " + user));
    TotpEnrolment pending =
        record
            .totp()
            .orElseThrow(() -> new IllegalArgumentException("no TOTP enrolment for " + user));
    byte[] seed = box.open(pending.sealedSeed(), SecretContext.totpSeed(user));
    try {
      Totp check = new Totp(pending.parameters(totp.parameters().window()), clock);
      if (check.verify(seed, code).isEmpty()) {
        throw new IllegalArgumentException("the code does not match; check the device's clock");
      }
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
    List<String> codes = RecoveryCodes.generate(random);
    List<String> digests = codes.stream().map(RecoveryCodes::digest).toList();
    require(
        directory.update(
            user, u -> u.withTotp(Optional.of(pending.confirm())).withRecoveryCodes(digests)),
        user);
    event(AuthEvent.Type.TOTP_CONFIRMED, user, "totp");
    return codes;
  }

  /** Removes TOTP and recovery codes (lost device); the global requirement still applies. */
  public void removeTotp(String user) {
    require(
        directory.update(user, u -> u.withTotp(Optional.empty()).withRecoveryCodes(List.of())),
        user);
    event(AuthEvent.Type.TOTP_REMOVED, user, "totp");
  }

  /**
   * Issues an app password.
   *
   * @param protocols {@code imap}, {@code pop3}; empty for both
   * @return the value, to be shown once
   */
  public String addAppPassword(String user, String name, Set<String> protocols) {
    String value = AppPasswords.generate(random);
    AppPassword app =
        new AppPassword(
            name,
            TokenDigest.digest(AppPasswords.normalize(value)),
            protocols,
            clock.instant(),
            Optional.empty());
    require(
        directory.update(
            user,
            u -> {
              if (u.appPasswords().stream().anyMatch(a -> a.name().equals(name))) {
                throw new IllegalArgumentException("app password " + name + " already exists");
              }
              List<AppPassword> list = new ArrayList<>(u.appPasswords());
              list.add(app);
              return u.withAppPasswords(list);
            }),
        user);
    event(AuthEvent.Type.APP_PASSWORD_ADDED, user, "app-password " + name);
    return value;
  }

  /** Revokes an app password; returns whether it existed. */
  public boolean revokeAppPassword(String user, String name) {
    boolean[] found = {false};
    require(
        directory.update(
            user,
            u -> {
              List<AppPassword> kept =
                  u.appPasswords().stream().filter(a -> !a.name().equals(name)).toList();
              found[0] = kept.size() != u.appPasswords().size();
              return found[0] ? u.withAppPasswords(kept) : u;
            }),
        user);
    if (found[0]) {
      event(AuthEvent.Type.APP_PASSWORD_REVOKED, user, "app-password " + name);
    }
    return found[0];
  }

  /**
   * Maps the user to an upstream login: a name and a password (sealed), or an OAuth broker account.
   */
  public void mapUpstream(
      String user, String upstreamUser, Optional<Secret> password, Optional<String> oauthAccount) {
    Optional<String> sealed =
        password.map(
            p -> {
              byte[] bytes = p.utf8();
              try {
                return box.seal(bytes, SecretContext.upstreamPassword(user));
              } finally {
                Arrays.fill(bytes, (byte) 0);
              }
            });
    UpstreamMapping mapping = new UpstreamMapping(upstreamUser, sealed, oauthAccount);
    require(directory.update(user, u -> u.withUpstream(Optional.of(mapping))), user);
    event(AuthEvent.Type.UPSTREAM_MAPPED, user, "upstream");
  }

  private static UserSummary summary(UserRecord u) {
    return new UserSummary(
        u.name(),
        u.groups(),
        u.secondFactor(),
        u.totp().map(t -> t.confirmed() ? "confirmed" : "pending").orElse("none"),
        u.recoveryCodes().size(),
        u.appPasswords().stream()
            .map(a -> new AppPasswordSummary(a.name(), a.protocols(), a.created(), a.lastUsed()))
            .toList(),
        u.passwordHash().isEmpty()
            ? "none"
            : PasswordHashes.scheme(u.passwordHash()).map(Enum::name).orElse("unknown"),
        u.upstream()
            .map(
                m ->
                    (m.user().isEmpty() ? u.name() : m.user())
                        + m.oauthAccount().map(a -> " via oauth account " + a).orElse("")
                        + m.sealedPassword().map(p -> " with stored password").orElse(""))
            .orElse("same name, no stored credential"));
  }

  private static void require(Optional<UserRecord> updated, String user) {
    if (updated.isEmpty()) {
      throw new IllegalArgumentException("no user " + user);
    }
  }

  private void event(AuthEvent.Type type, String user, String detail) {
    audit.accept(AuthEvent.admin(clock.instant(), type, user, detail));
  }
}
