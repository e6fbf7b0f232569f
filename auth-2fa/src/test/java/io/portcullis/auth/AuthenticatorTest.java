package io.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.audit.AuthEvent;
import io.portcullis.auth.directory.SecondFactorRule;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.directory.UserRecord;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.throttle.ThrottleSettings;
import io.portcullis.auth.totp.Base32;
import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatorTest {
  private static final Argon2Cost FAST = new Argon2Cost(1024, 1, 1);

  @TempDir Path dir;
  private final TestClock clock = TestClock.at(1_800_000_000);
  private final List<AuthEvent> events = new ArrayList<>();
  private PasswordHasher hasher;
  private SecretBox box;
  private UserDirectory directory;
  private UserAdmin admin;
  private Authenticator authenticator;
  private String aliceSecret;

  @BeforeEach
  void setUp() {
    hasher = new PasswordHasher(FAST, 2, 64);
    box = new SecretBox(MasterKey.generate(dir.resolve("key"), new SecureRandom()));
    directory = UserDirectory.open(dir.resolve("users.yml"));
    admin =
        new UserAdmin(
            directory,
            hasher,
            box,
            new AuthSettings.Totp(TotpParameters.DEFAULT, "Test"),
            clock,
            events::add);
    admin.add("alice", Secret.of("correct horse"), Set.of("staff"));
    aliceSecret = admin.enrolTotp("alice").secret();
    admin.confirmTotp("alice", code(aliceSecret, 0));
    clock.advance(Duration.ofSeconds(30)); // the confirmation code's step is behind us
    authenticator =
        authenticator(settings(AuthSettings.Mode.LOCAL, AuthSettings.Requirement.ALL, ""));
  }

  @AfterEach
  void tearDown() {
    authenticator.close();
    hasher.close();
  }

  private AuthSettings settings(
      AuthSettings.Mode mode, AuthSettings.Requirement required, String sep) {
    return new AuthSettings(
        mode,
        dir.resolve("users.yml"),
        Optional.of(dir.resolve("key")),
        new AuthSettings.SecondFactor(
            required,
            required == AuthSettings.Requirement.GROUPS ? Set.of("admins") : Set.of(),
            sep),
        new AuthSettings.Totp(TotpParameters.DEFAULT, "Test"),
        new AuthSettings.Password(FAST, 2, 64),
        ThrottleSettings.DEFAULT,
        Optional.empty(),
        io.portcullis.auth.sasl.SaslLimits.DEFAULT);
  }

  private Authenticator authenticator(AuthSettings settings) {
    return Authenticator.builder(settings)
        .clock(clock)
        .directory(directory)
        .secretBox(box)
        .hasher(hasher)
        .build();
  }

  private String code(String base32, int stepOffset) {
    Totp totp = new Totp(TotpParameters.DEFAULT, clock);
    return totp.generate(Base32.decode(base32), totp.currentStep() + stepOffset);
  }

  private AuthResult login(String user, String password) throws Exception {
    return login(authenticator, user, password, "192.0.2.10", "imap");
  }

  private AuthResult login(
      Authenticator a, String user, String password, String ip, String protocol) throws Exception {
    return a.authenticate(
            new AuthRequest(
                PasswordCredentials.of(user, Secret.of(password)),
                InetAddress.getByName(ip),
                protocol,
                true))
        .get(20, TimeUnit.SECONDS);
  }

  private static String reason(AuthResult result) {
    assertThat(result).isInstanceOf(AuthResult.Failure.class);
    return ((AuthResult.Failure) result).reason();
  }

  private static Principal principal(AuthResult result) {
    assertThat(result).isInstanceOf(AuthResult.Success.class);
    return ((AuthResult.Success) result).principal();
  }

  @Test
  void passwordFollowedByCurrentCodeShouldSucceedWithTwoFactors() throws Exception {
    Principal p = principal(login("alice", "correct horse" + code(aliceSecret, 0)));
    assertThat(p.user()).isEqualTo("alice");
    assertThat(p.factors()).containsExactlyInAnyOrder(Factor.PASSWORD, Factor.TOTP);
    assertThat(p.groups()).containsExactly("staff");
  }

  @Test
  void otpReplayShouldFailTheSecondTime() throws Exception {
    String code = code(aliceSecret, 0);
    principal(login("alice", "correct horse" + code));
    clock.advance(Duration.ofSeconds(5));
    assertThat(
            reason(login(authenticator, "alice", "correct horse" + code, "198.51.100.1", "imap")))
        .isEqualTo("otp-replay");
  }

  @Test
  void otpReplayInTwoParallelLoginsShouldLetExactlyOneSucceed() throws Exception {
    String typed = "correct horse" + code(aliceSecret, 0);
    List<CompletableFuture<AuthResult>> logins = new ArrayList<>();
    for (String ip : List.of("192.0.2.1", "198.51.100.1")) {
      logins.add(
          authenticator.authenticate(
              new AuthRequest(
                  PasswordCredentials.of("alice", Secret.of(typed)),
                  InetAddress.getByName(ip),
                  "imap",
                  true)));
    }
    List<AuthResult> results = new ArrayList<>();
    for (CompletableFuture<AuthResult> f : logins) {
      results.add(f.get(20, TimeUnit.SECONDS));
    }
    assertThat(results.stream().filter(r -> r instanceof AuthResult.Success)).hasSize(1);
    assertThat(
            results.stream()
                .filter(r -> r instanceof AuthResult.Failure f && f.reason().equals("otp-replay")))
        .hasSize(1);
  }

  @Test
  void wrongCodeShouldFailAsBadOtp() throws Exception {
    String wrong = code(aliceSecret, 0).equals("000000") ? "111111" : "000000";
    assertThat(reason(login("alice", "correct horse" + wrong))).isEqualTo("bad-otp");
  }

  @Test
  void passwordWithoutCodeShouldFailWhenSecondFactorIsRequired() throws Exception {
    assertThat(reason(login("alice", "correct horse"))).isEqualTo("second-factor-missing");
  }

  @Test
  void wrongPasswordShouldNotSpendTheCode() throws Exception {
    String code = code(aliceSecret, 0);
    assertThat(reason(login("alice", "wrong horse" + code))).isEqualTo("bad-password");
    clock.advance(Duration.ofSeconds(2));
    principal(login(authenticator, "alice", "correct horse" + code, "198.51.100.1", "imap"));
  }

  @Test
  void unknownUserShouldFailAfterPayingAHash() throws Exception {
    AuthResult result = login("mallory", "whatever123456");
    assertThat(reason(result)).isEqualTo("unknown-user");
    assertThat(((AuthResult.Failure) result).delay()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void unknownUserAndWrongPasswordShouldTakeComparableTime() throws Exception {
    // A2 timing: with a cost that dominates, the two paths differ by far less than one hash.
    try (PasswordHasher slow = new PasswordHasher(new Argon2Cost(16 * 1024, 2, 1), 1, 8)) {
      admin.passwd("alice", Secret.of("correct horse")); // rehashed below with the slow cost
      directory.update(
          "alice", u -> u.withPasswordHash(slow.hash(Secret.of("correct horse")).join()));
      try (Authenticator timed =
          Authenticator.builder(settings(AuthSettings.Mode.LOCAL, AuthSettings.Requirement.ALL, ""))
              .clock(clock)
              .directory(directory)
              .secretBox(box)
              .hasher(slow)
              .build()) {
        long unknown = 0;
        long wrong = 0;
        for (int i = 0; i < 6; i++) {
          clock.advance(Duration.ofMinutes(2));
          long t0 = System.nanoTime();
          login(timed, "nobody" + i, "guess" + i, "10.0.0." + (i + 1), "imap");
          long t1 = System.nanoTime();
          login(timed, "alice", "guess" + i + "123456", "10.0.1." + (i + 1), "imap");
          long t2 = System.nanoTime();
          if (i > 0) { // the first round warms up the JIT
            unknown += t1 - t0;
            wrong += t2 - t1;
          }
        }
        // Without the dummy hash the ratio is near 0.05; the wide band tolerates a busy machine.
        assertThat((double) unknown / wrong).isBetween(0.33, 3.0);
      }
    }
  }

  @Test
  void authzidOfAnotherUserShouldBeRefused() throws Exception {
    AuthResult result =
        authenticator
            .authenticate(
                new AuthRequest(
                    new PasswordCredentials("bob", "alice", Secret.of("correct horse")),
                    InetAddress.getByName("192.0.2.1"),
                    "imap",
                    true))
            .get(10, TimeUnit.SECONDS);
    assertThat(reason(result)).isEqualTo("authzid-not-allowed");
  }

  @Test
  void appPasswordShouldStandInForPasswordAndCodeOnItsProtocolOnly() throws Exception {
    String app = admin.addAppPassword("alice", "phone", Set.of("imap"));
    Principal p = principal(login("alice", app));
    assertThat(p.factors()).containsExactly(Factor.APP_PASSWORD);
    assertThat(directory.find("alice").orElseThrow().appPasswords().get(0).lastUsed())
        .contains(clock.instant());
    clock.advance(Duration.ofSeconds(1));
    assertThat(reason(login(authenticator, "alice", app, "198.51.100.9", "pop3")))
        .isEqualTo("bad-password");
  }

  @Test
  void revokedAppPasswordShouldFail() throws Exception {
    String app = admin.addAppPassword("alice", "phone", Set.of());
    admin.revokeAppPassword("alice", "phone");
    assertThat(reason(login("alice", app))).isEqualTo("bad-password");
  }

  @Test
  void recoveryCodeShouldWorkOnce() throws Exception {
    // Re-enrol to get hold of recovery codes; a pending enrolment is not yet confirmed.
    assertThatThrownBy(() -> admin.enrolTotp("alice")).hasMessageContaining("remove it first");
    admin.removeTotp("alice");
    admin.enrolTotp("alice");
    assertThat(directory.find("alice").orElseThrow().totp().orElseThrow().confirmed()).isFalse();
    String newSecret = admin.enrolTotp("alice").secret();
    List<String> codes = admin.confirmTotp("alice", code(newSecret, 0));
    clock.advance(Duration.ofSeconds(30));
    Principal p = principal(login("alice", "correct horse" + codes.get(0)));
    assertThat(p.factors()).containsExactlyInAnyOrder(Factor.PASSWORD, Factor.RECOVERY_CODE);
    assertThat(directory.find("alice").orElseThrow().recoveryCodes()).hasSize(9);
    clock.advance(Duration.ofSeconds(2));
    assertThat(
            reason(
                login(
                    authenticator,
                    "alice",
                    "correct horse" + codes.get(0),
                    "198.51.100.2",
                    "imap")))
        .isEqualTo("bad-recovery-code");
  }

  @Test
  void configuredSeparatorShouldSplitPasswordAndCode() throws Exception {
    try (Authenticator withSeparator =
        authenticator(settings(AuthSettings.Mode.LOCAL, AuthSettings.Requirement.ALL, "/"))) {
      principal(
          login(
              withSeparator,
              "alice",
              "correct horse/" + code(aliceSecret, 0),
              "192.0.2.3",
              "pop3"));
      clock.advance(Duration.ofSeconds(30));
      assertThat(
              reason(
                  login(
                      withSeparator,
                      "alice",
                      "correct horse" + code(aliceSecret, 0),
                      "192.0.2.4",
                      "pop3")))
          .isEqualTo("bad-password");
    }
  }

  @Test
  void userOutsideRequiredGroupsShouldLogInWithPasswordAlone() throws Exception {
    admin.add("carol", Secret.of("pw carol"), Set.of("staff"));
    admin.add("dave", Secret.of("pw dave"), Set.of("admins"));
    try (Authenticator groups =
        authenticator(settings(AuthSettings.Mode.LOCAL, AuthSettings.Requirement.GROUPS, ""))) {
      assertThat(principal(login(groups, "carol", "pw carol", "192.0.2.5", "imap")).factors())
          .containsExactly(Factor.PASSWORD);
      assertThat(reason(login(groups, "dave", "pw dave", "192.0.2.6", "imap")))
          .isEqualTo("second-factor-missing");
    }
  }

  private AuthResult login(String user, String password, SecondFactorRequirement requirement)
      throws Exception {
    return authenticator
        .authenticate(
            new AuthRequest(
                PasswordCredentials.of(user, Secret.of(password)),
                InetAddress.getByName("192.0.2.10"),
                "imap",
                true,
                Optional.empty(),
                requirement))
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void policyOffShouldLetAnEnrolledUserLogInWithThePasswordAlone() throws Exception {
    Principal p = principal(login("alice", "correct horse", SecondFactorRequirement.NOT_REQUIRED));

    assertThat(p.factors()).containsExactly(Factor.PASSWORD);
  }

  @Test
  void policyOffShouldNeverSplitADigitSuffixOffThePassword() throws Exception {
    admin.add("erin", Secret.of("summer123456"), Set.of());
    admin.confirmTotp("erin", code(admin.enrolTotp("erin").secret(), 0));
    clock.advance(Duration.ofSeconds(30));

    assertThat(principal(login("erin", "summer123456", SecondFactorRequirement.NOT_REQUIRED)))
        .extracting(Principal::factors)
        .isEqualTo(Set.of(Factor.PASSWORD));
    clock.advance(Duration.ofSeconds(5));
    assertThat(
            reason(
                login(
                    "alice",
                    "correct horse" + code(aliceSecret, 0),
                    SecondFactorRequirement.NOT_REQUIRED)))
        .isEqualTo("bad-password");
  }

  @Test
  void policyIfEnrolledShouldAskOnlyEnrolledUsersForACode() throws Exception {
    admin.add("frank", Secret.of("frank pw"), Set.of());

    assertThat(principal(login("frank", "frank pw", SecondFactorRequirement.IF_ENROLLED)).factors())
        .containsExactly(Factor.PASSWORD);
    assertThat(reason(login("alice", "correct horse", SecondFactorRequirement.IF_ENROLLED)))
        .isEqualTo("second-factor-missing");
  }

  @Test
  void userRecordThatRequiresACodeShouldWinOverAPolicyThatSaysOff() throws Exception {
    admin.setSecondFactor("alice", SecondFactorRule.REQUIRED);

    assertThat(reason(login("alice", "correct horse", SecondFactorRequirement.NOT_REQUIRED)))
        .isEqualTo("second-factor-missing");
  }

  @Test
  void exemptUserShouldLogInWithPasswordAloneEvenWhenAllNeedASecondFactor() throws Exception {
    admin.add("svc", Secret.of("service pw"), Set.of());
    admin.setSecondFactor("svc", SecondFactorRule.EXEMPT);
    principal(login("svc", "service pw"));
  }

  @Test
  void importedSha512CryptHashShouldLogInAndBeRehashedToArgon2id() throws Exception {
    directory.add(
        UserRecord.of(
                "legacy",
                "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1")
            .withSecondFactor(SecondFactorRule.EXEMPT));
    principal(login("legacy", "Hello world!"));
    assertThat(directory.find("legacy").orElseThrow().passwordHash())
        .startsWith("$argon2id$v=19$m=1024");
    assertThat(Files.readString(dir.resolve("users.yml"))).doesNotContain("SHA512-CRYPT");
    clock.advance(Duration.ofSeconds(1));
    principal(login(authenticator, "legacy", "Hello world!", "198.51.100.3", "imap"));
  }

  @Test
  void failureShouldThrottleTheNextAttemptEvenWithCorrectCredentials() throws Exception {
    reason(login("alice", "wrong"));
    AuthResult refused = login("alice", "correct horse" + code(aliceSecret, 0));
    assertThat(refused).isEqualTo(new AuthResult.Failure("throttled", Duration.ofSeconds(2)));
    clock.advance(Duration.ofSeconds(2));
    principal(login("alice", "correct horse" + code(aliceSecret, 0)));
  }

  @Test
  void mappedUpstreamPasswordShouldBeDecryptedForTheUpstreamLogin() throws Exception {
    admin.mapUpstream(
        "alice", "alice@upstream.example", Optional.of(Secret.of("up-pw")), Optional.empty());
    AuthResult result = login("alice", "correct horse" + code(aliceSecret, 0));
    UpstreamCredential upstream = ((AuthResult.Success) result).upstream();
    assertThat(upstream).isInstanceOf(UpstreamCredential.Password.class);
    assertThat(((UpstreamCredential.Password) upstream).user()).isEqualTo("alice@upstream.example");
    assertThat(((UpstreamCredential.Password) upstream).password().reveal()).isEqualTo("up-pw");
    assertThat(upstream.toString()).doesNotContain("up-pw");
    assertThat(Files.readString(dir.resolve("users.yml"))).doesNotContain("up-pw");
  }

  @Test
  void oauthMappingShouldNameTheBrokerAccount() throws Exception {
    admin.mapUpstream("alice", "shared@example.com", Optional.empty(), Optional.of("m365-alice"));
    AuthResult result = login("alice", "correct horse" + code(aliceSecret, 0));
    assertThat(((AuthResult.Success) result).upstream())
        .isEqualTo(new UpstreamCredential.OAuthAccount("shared@example.com", "m365-alice"));
  }

  @Test
  void passthroughShouldDecideOnTheCallersThreadWithoutAHandOff() throws Exception {
    try (Authenticator passthrough =
        authenticator(settings(AuthSettings.Mode.PASSTHROUGH, AuthSettings.Requirement.NONE, ""))) {
      CompletableFuture<AuthResult> f =
          passthrough.authenticate(
              new AuthRequest(
                  PasswordCredentials.of("anyone", Secret.of("pw")),
                  InetAddress.getByName("192.0.2.8"),
                  "pop3",
                  true));

      // Already complete when it returns: the event loop never waits for another thread.
      assertThat(f).isDone();
      assertThat(principal(f.join()).user()).isEqualTo("anyone");
    }
  }

  @Test
  void passthroughShouldForwardTheClientsOwnCredentials() throws Exception {
    try (Authenticator passthrough =
        authenticator(settings(AuthSettings.Mode.PASSTHROUGH, AuthSettings.Requirement.NONE, ""))) {
      AuthResult result = login(passthrough, "anyone", "their pw", "192.0.2.7", "pop3");
      assertThat(principal(result).factors()).containsExactly(Factor.UPSTREAM);
      UpstreamCredential.Password up =
          (UpstreamCredential.Password) ((AuthResult.Success) result).upstream();
      assertThat(up.password().reveal()).isEqualTo("their pw");
      assertThat(
              passthrough.recordUpstreamFailure(
                  new AuthRequest(
                      PasswordCredentials.of("anyone", Secret.of("x")),
                      InetAddress.getByName("192.0.2.7"),
                      "pop3",
                      true)))
          .isEqualTo(Duration.ofSeconds(2));
    }
  }

  @Test
  void bearerTokenWithoutBearerSettingsShouldBeRefused() throws Exception {
    AuthResult result =
        authenticator
            .authenticate(
                new AuthRequest(
                    new BearerCredentials(
                        "alice", Secret.of("a.b.c"), io.portcullis.auth.sasl.SaslMechanism.XOAUTH2),
                    InetAddress.getByName("192.0.2.1"),
                    "imap",
                    true))
            .get(10, TimeUnit.SECONDS);
    assertThat(reason(result)).isEqualTo("mechanism-not-allowed");
  }

  @Test
  void authenticateShouldReturnWithoutWaitingForTheHash() throws Exception {
    try (PasswordHasher slow = new PasswordHasher(new Argon2Cost(32 * 1024, 2, 1), 1, 8);
        Authenticator a =
            Authenticator.builder(
                    settings(AuthSettings.Mode.LOCAL, AuthSettings.Requirement.ALL, ""))
                .clock(clock)
                .directory(directory)
                .secretBox(box)
                .hasher(slow)
                .build()) {
      CompletableFuture<?> busy = slow.verifyDummy(Secret.of("x")); // holds the only slot
      CompletableFuture<AuthResult> login =
          a.authenticate(
              new AuthRequest(
                  PasswordCredentials.of("alice", Secret.of("x")),
                  InetAddress.getByName("192.0.2.1"),
                  "imap",
                  true));
      assertThat(login).isNotDone();
      assertThat(login.get(20, TimeUnit.SECONDS)).isInstanceOf(AuthResult.Failure.class);
      busy.join();
    }
  }

  private AuthResult external(String authzid, Optional<String> certificate) throws Exception {
    return authenticator
        .authenticate(
            new AuthRequest(
                new ExternalCredentials(authzid),
                InetAddress.getByName("192.0.2.1"),
                "imap",
                true,
                certificate))
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void externalWithAVerifiedCertificateShouldAuthenticateItsUser() throws Exception {
    Principal p = principal(external("", Optional.of("alice")));
    assertThat(p.factors()).containsExactly(Factor.CLIENT_CERTIFICATE);
    assertThat(p.mechanism()).isEqualTo("EXTERNAL");
  }

  @Test
  void externalWithoutCertificateOrForAnotherUserShouldFail() throws Exception {
    assertThat(reason(external("", Optional.empty()))).isEqualTo("no-client-certificate");
    clock.advance(Duration.ofSeconds(2));
    assertThat(reason(external("bob", Optional.of("alice")))).isEqualTo("authzid-not-allowed");
    clock.advance(Duration.ofSeconds(4));
    assertThat(reason(external("", Optional.of("nobody")))).isEqualTo("unknown-user");
  }

  @Test
  void passthroughBruteForceShouldGetGrowingDelaysFromUpstreamRefusals() throws Exception {
    try (Authenticator passthrough =
        authenticator(settings(AuthSettings.Mode.PASSTHROUGH, AuthSettings.Requirement.NONE, ""))) {
      List<Duration> delays = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        AuthRequest guess =
            new AuthRequest(
                PasswordCredentials.of("victim", Secret.of("guess" + i)),
                InetAddress.getByName("203.0.113.66"),
                "imap",
                true);
        // The gateway's own "success" in passthrough mode must not reset the counters.
        assertThat(passthrough.authenticate(guess).get(10, TimeUnit.SECONDS))
            .isInstanceOf(AuthResult.Success.class);
        Duration delay = passthrough.recordUpstreamFailure(guess);
        delays.add(delay);
        clock.advance(delay);
      }
      assertThat(delays)
          .containsExactly(
              Duration.ofSeconds(2),
              Duration.ofSeconds(4),
              Duration.ofSeconds(8),
              Duration.ofSeconds(15));
    }
  }
}
