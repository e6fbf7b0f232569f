package io.portcullis.auth;

import io.portcullis.auth.directory.AppPassword;
import io.portcullis.auth.directory.TotpEnrolment;
import io.portcullis.auth.directory.UpstreamMapping;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.directory.UserRecord;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.password.TokenDigest;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.secret.SecretBoxException;
import io.portcullis.auth.secret.SecretContext;
import io.portcullis.auth.totp.RecoveryCodes;
import io.portcullis.auth.totp.ReplayGuard;
import io.portcullis.auth.totp.Totp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local-mode verification: app password, or password + TOTP code / recovery code typed into one
 * password field, against the user directory. Every path that can fail pays one Argon2id
 * verification, so timing does not tell an unknown user from a wrong password or code (A2). Runs on
 * a virtual thread (it blocks on the hasher and on file writes). Thread-safe.
 */
final class LocalVerifier {
  private static final Logger LOG = LoggerFactory.getLogger(LocalVerifier.class);

  /** Recording "last used" at most hourly keeps logins from rewriting the user file each time. */
  private static final Duration LAST_USED_RESOLUTION = Duration.ofHours(1);

  private final AuthSettings settings;
  private final UserDirectory directory;
  private final PasswordHasher hasher;
  private final SecretBox box;
  private final ReplayGuard replayGuard;
  private final Clock clock;

  private sealed interface SecondFactor {
    record None() implements SecondFactor {}

    record Code(String digits) implements SecondFactor {}

    record Recovery(String code) implements SecondFactor {}
  }

  private record Split(String password, SecondFactor second) {}

  LocalVerifier(
      AuthSettings settings,
      UserDirectory directory,
      PasswordHasher hasher,
      SecretBox box,
      ReplayGuard replayGuard,
      Clock clock) {
    this.settings = settings;
    this.directory = directory;
    this.hasher = hasher;
    this.box = box;
    this.replayGuard = replayGuard;
    this.clock = clock;
  }

  AuthResult verify(
      PasswordCredentials credentials, String protocol, SecondFactorRequirement requirement) {
    Optional<UserRecord> found = directory.find(credentials.user());
    if (found.isEmpty()) {
      hasher.verifyDummy(credentials.password()).join();
      return failure("unknown-user");
    }
    UserRecord user = found.get();
    String typed = credentials.password().reveal();

    Optional<AppPassword> app = matchAppPassword(user, typed, protocol);
    if (app.isPresent()) {
      recordUse(user.name(), app.get());
      return success(user, EnumSet.of(Factor.APP_PASSWORD));
    }

    boolean needSecond = requiresSecondFactor(user, requirement);
    Split split = needSecond ? split(typed, user) : new Split(typed, new SecondFactor.None());
    if (user.passwordHash().isEmpty()) {
      hasher.verifyDummy(credentials.password()).join();
      return failure("password-disabled");
    }
    Secret password = Secret.of(split.password());
    PasswordHasher.Verification verification;
    try {
      verification = hasher.verify(password, user.passwordHash()).join();
    } finally {
      password.destroy();
    }
    if (!verification.matches()) {
      return failure("bad-password");
    }
    EnumSet<Factor> factors = EnumSet.of(Factor.PASSWORD);
    if (needSecond) {
      Optional<AuthResult> refused =
          switch (split.second()) {
            case SecondFactor.None n -> Optional.of(failure("second-factor-missing"));
            case SecondFactor.Code c -> checkTotp(user, c.digits(), factors);
            case SecondFactor.Recovery r -> spendRecoveryCode(user, r.code(), factors);
          };
      if (refused.isPresent()) {
        return refused.get();
      }
    }
    if (verification.needsRehash()) {
      rehash(user.name(), split.password());
    }
    return withUpstream(user, "password", factors, Optional.of(split.password()));
  }

  AuthResult bearerPrincipal(String userName, String mechanism) {
    Optional<UserRecord> user = directory.find(userName);
    if (user.isEmpty()) {
      return new AuthResult.Success(
          new Principal(userName, Set.of(), mechanism, Set.of(Factor.BEARER_TOKEN), userName),
          new UpstreamCredential.None());
    }
    return withUpstream(user.get(), mechanism, EnumSet.of(Factor.BEARER_TOKEN));
  }

  /**
   * SASL EXTERNAL: the TLS layer verified a client certificate and the gateway mapped it to a user
   * name; the certificate's private key is the proof, so no password is asked for.
   */
  AuthResult external(ExternalCredentials credentials, Optional<String> certificateIdentity) {
    if (certificateIdentity.isEmpty()) {
      return failure("no-client-certificate");
    }
    String identity = certificateIdentity.get();
    if (!credentials.authzid().isEmpty() && !credentials.authzid().equals(identity)) {
      return failure("authzid-not-allowed");
    }
    Optional<UserRecord> user = directory.find(identity);
    if (user.isEmpty()) {
      return failure("unknown-user");
    }
    return withUpstream(user.get(), "EXTERNAL", EnumSet.of(Factor.CLIENT_CERTIFICATE));
  }

  private boolean requiresSecondFactor(UserRecord user, SecondFactorRequirement requirement) {
    return switch (user.secondFactor()) {
      case EXEMPT -> false;
      case REQUIRED -> true;
      case DEFAULT ->
          switch (requirement) {
            case NOT_REQUIRED -> false;
            case IF_ENROLLED -> user.confirmedTotp().isPresent();
            case AS_CONFIGURED ->
                // Once enrolled, the code is always asked for: otherwise the factor protects
                // nothing (unless a policy relaxes it for a trusted network).
                user.confirmedTotp().isPresent()
                    || switch (settings.secondFactor().required()) {
                      case ALL -> true;
                      case NONE -> false;
                      case GROUPS ->
                          user.groups().stream()
                              .anyMatch(settings.secondFactor().groups()::contains);
                    };
          };
    };
  }

  /** Separates "password + separator + code" typed into one field. */
  private Split split(String typed, UserRecord user) {
    String separator = settings.secondFactor().separator();
    Matcher recovery = RecoveryCodes.SUFFIX.matcher(typed);
    if (recovery.find() && !user.recoveryCodes().isEmpty()) {
      String rest = typed.substring(0, recovery.start());
      if (rest.endsWith(separator) && rest.length() > separator.length()) {
        return new Split(
            rest.substring(0, rest.length() - separator.length()),
            new SecondFactor.Recovery(recovery.group(1)));
      }
    }
    Optional<TotpEnrolment> totp = user.confirmedTotp();
    if (totp.isPresent()) {
      int digits = totp.get().digits();
      int cut = typed.length() - digits;
      if (cut > separator.length()
          && typed.substring(cut).chars().allMatch(c -> c >= '0' && c <= '9')
          && typed.startsWith(separator, cut - separator.length())) {
        return new Split(
            typed.substring(0, cut - separator.length()),
            new SecondFactor.Code(typed.substring(cut)));
      }
    }
    return new Split(typed, new SecondFactor.None());
  }

  private Optional<AppPassword> matchAppPassword(UserRecord user, String typed, String protocol) {
    if (user.appPasswords().isEmpty()) {
      return Optional.empty();
    }
    List<String> digests = user.appPasswords().stream().map(AppPassword::digest).toList();
    Optional<String> digest = TokenDigest.match(AppPasswords.normalize(typed), digests);
    return digest.flatMap(
        d ->
            user.appPasswords().stream()
                .filter(a -> a.digest().equals(d) && a.allows(protocol))
                .findFirst());
  }

  private Optional<AuthResult> checkTotp(UserRecord user, String code, Set<Factor> factors) {
    TotpEnrolment enrolment = user.confirmedTotp().orElseThrow();
    byte[] seed;
    try {
      seed = box.open(enrolment.sealedSeed(), SecretContext.totpSeed(user.name()));
    } catch (SecretBoxException e) {
      LOG.warn("TOTP seed of user {} cannot be opened: {}", user.name(), e.getMessage());
      return Optional.of(new AuthResult.Unavailable("secret-unreadable"));
    }
    try {
      Totp totp = new Totp(enrolment.parameters(settings.totp().parameters().window()), clock);
      var step = totp.verify(seed, code);
      if (step.isEmpty()) {
        return Optional.of(failure("bad-otp"));
      }
      if (!replayGuard.tryConsume(user.name(), step.getAsLong())) {
        return Optional.of(failure("otp-replay"));
      }
      factors.add(Factor.TOTP);
      return Optional.empty();
    } finally {
      Arrays.fill(seed, (byte) 0);
    }
  }

  private Optional<AuthResult> spendRecoveryCode(
      UserRecord user, String code, Set<Factor> factors) {
    AtomicBoolean spent = new AtomicBoolean();
    directory.update(
        user.name(),
        current -> {
          Optional<String> digest = RecoveryCodes.match(code, current.recoveryCodes());
          if (digest.isEmpty()) {
            return current;
          }
          List<String> left = new ArrayList<>(current.recoveryCodes());
          left.remove(digest.get());
          spent.set(true);
          return current.withRecoveryCodes(left);
        });
    if (!spent.get()) {
      return Optional.of(failure("bad-recovery-code"));
    }
    factors.add(Factor.RECOVERY_CODE);
    return Optional.empty();
  }

  private void rehash(String name, String password) {
    try {
      String hash = hasher.hash(Secret.of(password)).join();
      directory.update(name, u -> u.withPasswordHash(hash));
    } catch (RuntimeException e) {
      // The login succeeded; the migration is retried on the next one.
      LOG.warn("rehash of user {} to Argon2id failed: {}", name, e.toString());
    }
  }

  private void recordUse(String name, AppPassword app) {
    Instant now = clock.instant();
    if (app.lastUsed().map(t -> t.plus(LAST_USED_RESOLUTION).isAfter(now)).orElse(false)) {
      return;
    }
    try {
      directory.update(
          name,
          u ->
              u.withAppPasswords(
                  u.appPasswords().stream()
                      .map(a -> a.name().equals(app.name()) ? a.usedAt(now) : a)
                      .toList()));
    } catch (RuntimeException e) {
      LOG.warn(
          "cannot record use of app password {} of user {}: {}", app.name(), name, e.toString());
    }
  }

  private AuthResult success(UserRecord user, Set<Factor> factors) {
    return withUpstream(user, "password", factors, Optional.empty());
  }

  private AuthResult withUpstream(UserRecord user, String mechanism, Set<Factor> factors) {
    return withUpstream(user, mechanism, factors, Optional.empty());
  }

  /**
   * @param verifiedPassword the account password the client typed (code removed), once verified:
   *     forwarded upstream for a user whose mapping names no upstream password or OAuth account,
   *     which combines local verification with pass-through per user. App passwords and tokens are
   *     never forwarded.
   */
  private AuthResult withUpstream(
      UserRecord user, String mechanism, Set<Factor> factors, Optional<String> verifiedPassword) {
    Optional<UpstreamMapping> mapping = user.upstream();
    String login = mapping.map(UpstreamMapping::user).filter(u -> !u.isEmpty()).orElse(user.name());
    UpstreamCredential upstream = new UpstreamCredential.None();
    if (mapping.isPresent() && mapping.get().sealedPassword().isPresent()) {
      byte[] plain;
      try {
        plain =
            box.open(
                mapping.get().sealedPassword().get(), SecretContext.upstreamPassword(user.name()));
      } catch (SecretBoxException e) {
        LOG.warn("upstream password of user {} cannot be opened: {}", user.name(), e.getMessage());
        return new AuthResult.Unavailable("secret-unreadable");
      }
      try {
        upstream = new UpstreamCredential.Password(login, Secret.ofUtf8(plain));
      } finally {
        Arrays.fill(plain, (byte) 0);
      }
    } else if (mapping.isPresent() && mapping.get().oauthAccount().isPresent()) {
      upstream = new UpstreamCredential.OAuthAccount(login, mapping.get().oauthAccount().get());
    } else if (verifiedPassword.isPresent()) {
      upstream = new UpstreamCredential.Password(login, Secret.of(verifiedPassword.get()));
    }
    return new AuthResult.Success(
        new Principal(user.name(), user.groups(), mechanism, factors, login), upstream);
  }

  private static AuthResult failure(String reason) {
    return new AuthResult.Failure(reason, Duration.ZERO);
  }
}
