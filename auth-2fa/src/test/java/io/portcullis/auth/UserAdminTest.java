package io.portcullis.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.audit.AuditFormatter;
import io.portcullis.auth.audit.AuthEvent;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.password.Argon2Cost;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.totp.Base32;
import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserAdminTest {
  @TempDir Path dir;
  private final TestClock clock = TestClock.at(1_800_000_000);
  private final List<AuthEvent> events = new ArrayList<>();
  private PasswordHasher hasher;
  private UserAdmin admin;

  @BeforeEach
  void setUp() {
    hasher = new PasswordHasher(new Argon2Cost(1024, 1, 1), 1, 8);
    admin =
        new UserAdmin(
            UserDirectory.open(dir.resolve("users.yml")),
            hasher,
            new SecretBox(MasterKey.generate(dir.resolve("key"), new SecureRandom())),
            new AuthSettings.Totp(TotpParameters.DEFAULT, "Portcullis"),
            clock,
            events::add);
  }

  @AfterEach
  void tearDown() {
    hasher.close();
  }

  @Test
  void enrolmentShouldShowSecretUriAndQrOnceAndStoreOnlyTheSealedSeed() throws Exception {
    admin.add("alice", Secret.of("pw"), Set.of());
    UserAdmin.TotpEnrolmentStart start = admin.enrolTotp("alice");
    assertThat(start.uri()).startsWith("otpauth://totp/Portcullis:alice?secret=" + start.secret());
    assertThat(start.qr()).contains("\u2588");
    assertThat(start.toString()).doesNotContain(start.secret());
    assertThat(Files.readString(dir.resolve("users.yml")))
        .doesNotContain(start.secret())
        .contains("pcs1.");
    assertThat(admin.show("alice").orElseThrow().totp()).isEqualTo("pending");
  }

  @Test
  void confirmationShouldNeedACurrentCodeAndYieldTenRecoveryCodes() {
    admin.add("alice", Secret.of("pw"), Set.of());
    String secret = admin.enrolTotp("alice").secret();
    assertThatThrownBy(() -> admin.confirmTotp("alice", "000000x"))
        .isInstanceOf(IllegalArgumentException.class);
    Totp totp = new Totp(TotpParameters.DEFAULT, clock);
    List<String> codes =
        admin.confirmTotp("alice", totp.generate(Base32.decode(secret), totp.currentStep()));
    assertThat(codes).hasSize(10);
    UserAdmin.UserSummary summary = admin.show("alice").orElseThrow();
    assertThat(summary.totp()).isEqualTo("confirmed");
    assertThat(summary.recoveryCodesLeft()).isEqualTo(10);
  }

  @Test
  void appPasswordShouldBeShownOnceAndStoredAsDigest() throws Exception {
    admin.add("alice", Secret.of("pw"), Set.of());
    String value = admin.addAppPassword("alice", "thunderbird", Set.of("imap"));
    assertThat(value).matches("[a-z2-7]{4}(-[a-z2-7]{4}){4}");
    assertThat(Files.readString(dir.resolve("users.yml")))
        .doesNotContain(value)
        .contains("sha256:");
    assertThatThrownBy(() -> admin.addAppPassword("alice", "thunderbird", Set.of()))
        .hasMessageContaining("already exists");
    assertThat(admin.show("alice").orElseThrow().appPasswords()).hasSize(1);
    assertThat(admin.revokeAppPassword("alice", "thunderbird")).isTrue();
    assertThat(admin.revokeAppPassword("alice", "thunderbird")).isFalse();
  }

  @Test
  void listAndShowShouldNotExposeHashes() {
    admin.add("alice", Secret.of("pw"), Set.of("staff"));
    assertThat(admin.list()).hasSize(1);
    assertThat(admin.list().toString()).doesNotContain("$argon2id").contains("ARGON2ID");
  }

  @Test
  void operationsOnUnknownUserShouldFailClearly() {
    assertThatThrownBy(() -> admin.passwd("ghost", Secret.of("x"))).hasMessageContaining("ghost");
    assertThat(admin.remove("ghost")).isFalse();
  }

  @Test
  void auditTrailOfAdminOperationsShouldContainNoSecret() {
    admin.add("alice", Secret.of("first-password"), Set.of());
    admin.passwd("alice", Secret.of("second-password"));
    String secret = admin.enrolTotp("alice").secret();
    Totp totp = new Totp(TotpParameters.DEFAULT, clock);
    String code = totp.generate(Base32.decode(secret), totp.currentStep());
    List<String> recovery = admin.confirmTotp("alice", code);
    String app = admin.addAppPassword("alice", "phone", Set.of());
    admin.revokeAppPassword("alice", "phone");
    admin.remove("alice");
    List<String> lines = events.stream().map(AuditFormatter::toJsonLine).toList();
    assertThat(lines).hasSize(7);
    for (String line : lines) {
      assertThat(line)
          .doesNotContain("first-password")
          .doesNotContain("second-password")
          .doesNotContain(secret)
          .doesNotContain(code)
          .doesNotContain(app)
          .doesNotContain(recovery.get(0));
    }
  }

  @Test
  void openFromSettingsShouldUseTheKeyFileAndUserFile() throws Exception {
    AuthSettings settings =
        AuthSettings.localDefaults(
            dir.resolve("other-users.yml"), java.util.Optional.of(dir.resolve("key")));
    try (UserAdmin fromSettings = UserAdmin.open(settings, clock, events::add)) {
      fromSettings.add("zoe", Secret.of("pw"), Set.of());
    }
    assertThat(Files.readString(dir.resolve("other-users.yml")))
        .contains("zoe:")
        .contains("m=19456,t=2,p=1");
  }
}
