package io.portcullis.auth.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.totp.TotpAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirectoryTest {
  @TempDir Path dir;

  private static final String HASH =
      "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA";

  private static final String FULL =
      """
      users:
        alice:
          password: "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$CKGe5/bX9YnCq2rxjW5yQXKxn31v1GKzhDCrMc6r6vA"
          groups: [staff, admins]
          second-factor: required
          totp:
            seed: pcs1.AAAA
            algorithm: SHA256
            digits: 8
            period: 30
            confirmed: true
          recovery-codes: [sha256:abc]
          app-passwords:
            - name: thunderbird
              digest: sha256:def
              protocols: [imap]
              created: 2026-11-01T10:00:00Z
              last-used: 2026-11-02T10:00:00Z
          upstream:
            user: alice@example.com
            password: pcs1.BBBB
        bob:
          password: "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"
          upstream:
            oauth-account: gmail-bob
      """;

  private Path write(String yaml) throws Exception {
    Path file = dir.resolve("users.yml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void fullFileShouldParseEveryField() throws Exception {
    UserDirectory users = UserDirectory.open(write(FULL));
    UserRecord alice = users.find("alice").orElseThrow();
    assertThat(alice.passwordHash()).isEqualTo(HASH);
    assertThat(alice.groups()).containsExactly("admins", "staff");
    assertThat(alice.secondFactor()).isEqualTo(SecondFactorRule.REQUIRED);
    assertThat(alice.confirmedTotp())
        .contains(new TotpEnrolment("pcs1.AAAA", TotpAlgorithm.SHA256, 8, 30, true));
    assertThat(alice.recoveryCodes()).containsExactly("sha256:abc");
    assertThat(alice.appPasswords())
        .containsExactly(
            new AppPassword(
                "thunderbird",
                "sha256:def",
                Set.of("imap"),
                Instant.parse("2026-11-01T10:00:00Z"),
                Optional.of(Instant.parse("2026-11-02T10:00:00Z"))));
    assertThat(alice.upstream())
        .contains(
            new UpstreamMapping("alice@example.com", Optional.of("pcs1.BBBB"), Optional.empty()));
    assertThat(users.find("bob").orElseThrow().upstream().orElseThrow().oauthAccount())
        .contains("gmail-bob");
    assertThat(users.find("carol")).isEmpty();
  }

  @Test
  void writeThenReadShouldRoundTripEveryField() throws Exception {
    Path file = write(FULL);
    UserDirectory users = UserDirectory.open(file);
    List<UserRecord> before = users.users();
    users.update("bob", u -> u.withGroups(Set.of("staff")));
    UserDirectory reread = UserDirectory.open(file);
    assertThat(reread.find("alice"))
        .isEqualTo(before.stream().filter(u -> u.name().equals("alice")).findFirst());
    assertThat(reread.find("bob").orElseThrow().groups()).containsExactly("staff");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
  }

  @Test
  void unknownKeyShouldBeAnErrorNamingTheKeyPath() throws Exception {
    Path file = write(FULL.replace("      period: 30", "      perod: 30"));
    assertThatThrownBy(() -> UserDirectory.open(file))
        .isInstanceOf(UserFileException.class)
        .hasMessageContaining("users.alice.totp.perod")
        .hasMessageContaining("unknown key");
  }

  @Test
  void duplicateUserShouldBeAnError() throws Exception {
    Path file = write("users:\n  alice: {}\n  alice: {}\n");
    assertThatThrownBy(() -> UserDirectory.open(file)).hasMessageContaining("alice");
  }

  @Test
  void wrongTypeShouldBeAnErrorNamingTheKey() throws Exception {
    Path file = write("users:\n  alice:\n    groups: staff\n");
    assertThatThrownBy(() -> UserDirectory.open(file))
        .hasMessageContaining("users.alice.groups")
        .hasMessageContaining("must be a list");
  }

  @Test
  void badEnumShouldListTheChoices() throws Exception {
    Path file = write("users:\n  alice:\n    second-factor: sometimes\n");
    assertThatThrownBy(() -> UserDirectory.open(file))
        .hasMessageContaining("users.alice.second-factor")
        .hasMessageContaining("required");
  }

  @Test
  void userNameWithControlCharacterShouldBeRefused() throws Exception {
    Path file = write("users:\n  \"al\\nice\": {}\n");
    assertThatThrownBy(() -> UserDirectory.open(file)).isInstanceOf(UserFileException.class);
  }

  @Test
  void invalidReloadShouldKeepThePreviousUsers() throws Exception {
    Path file = write(FULL);
    UserDirectory users = UserDirectory.open(file);
    Files.writeString(file, "users: [broken");
    assertThatThrownBy(users::reload).isInstanceOf(UserFileException.class);
    assertThat(users.find("alice")).isPresent();
  }

  @Test
  void reloadShouldPickUpAHandEdit() throws Exception {
    Path file = write(FULL);
    UserDirectory users = UserDirectory.open(file);
    Files.writeString(file, "users:\n  carol:\n    password: \"" + HASH + "\"\n");
    users.reload();
    assertThat(users.find("alice")).isEmpty();
    assertThat(users.find("carol")).isPresent();
  }

  @Test
  void updateShouldBuildOnAConcurrentWriteByAnotherProcess() throws Exception {
    Path file = write(FULL);
    UserDirectory server = UserDirectory.open(file);
    UserDirectory cli = UserDirectory.open(file);
    cli.add(UserRecord.of("carol", HASH));
    server.update("alice", u -> u.withGroups(Set.of("x")));
    UserDirectory reread = UserDirectory.open(file);
    assertThat(reread.find("carol")).isPresent();
    assertThat(reread.find("alice").orElseThrow().groups()).containsExactly("x");
  }

  @Test
  void missingFileShouldBeEmptyAndCreatedOnFirstAdd() {
    Path file = dir.resolve("new-users.yml");
    UserDirectory users = UserDirectory.open(file);
    assertThat(users.users()).isEmpty();
    users.add(UserRecord.of("dave", HASH));
    assertThat(Files.exists(file)).isTrue();
    assertThatThrownBy(() -> users.add(UserRecord.of("dave", HASH)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(users.remove("dave")).isTrue();
    assertThat(UserDirectory.open(file).users()).isEmpty();
  }

  @Test
  void atomicWriteShouldLeaveNoTemporaryFiles() throws Exception {
    Path file = write(FULL);
    UserDirectory users = UserDirectory.open(file);
    for (int i = 0; i < 5; i++) {
      int n = i;
      users.update("bob", u -> u.withGroups(Set.of("g" + n)));
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("users.yml", "users.yml.lock");
    }
  }

  @Test
  void concurrentUpdatesThroughTwoDirectoriesInOneProcessShouldAllLand() throws Exception {
    Path file = write(FULL);
    UserDirectory a = UserDirectory.open(file);
    UserDirectory b = UserDirectory.open(file);
    try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
      for (int i = 0; i < 20; i++) {
        String name = "user" + i;
        UserDirectory target = i % 2 == 0 ? a : b;
        pool.submit(() -> target.add(UserRecord.of(name, HASH)));
      }
    }
    assertThat(UserDirectory.open(file).users()).hasSize(22);
  }
}
