package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.Secret;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.auth.totp.Base32;
import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Policy access decisions applied to live POP3 logins (docs/policies.md). */
class Pop3PolicyTest {
  private static final String POLICY =
      """
      version: 1
      networks:
        office: [127.0.0.2/32]
        blocked: [127.0.0.3/32]
      defaults:
        access:
          decision: allow
          mechanisms: [PLAIN, LOGIN, USER]
          second-factor: required
          app-passwords: true
      access:
        - id: deny-blocked
          match:
            source: blocked
          decision: deny
          reason: blocked-network
        - id: carol-rollout
          mode: monitor
          match:
            user: carol
          decision: deny
          reason: rollout-check
        - id: office-password-only
          match:
            source: office
          second-factor: "off"
      """;

  @TempDir Path dataDir;
  private GatewayFixture fixture;
  private Path policy;

  @BeforeEach
  void start() throws Exception {
    policy = dataDir.resolve("policy.yml");
    Files.writeString(policy, POLICY);
    AuthConfig auth =
        new AuthConfig(
            "local",
            dataDir.resolve("users.yml"),
            dataDir.resolve("master.key"),
            new AuthConfig.SecondFactorConfig("none", null, null),
            null,
            null,
            AuthConfig.ThrottleConfig.delays(Duration.ofMillis(10), Duration.ofMillis(20)),
            null);
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      var settings = auth.toSettings(dataDir);
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(settings.usersFile()),
              hasher,
              new SecretBox(
                  MasterKey.generate(settings.keyFile().orElseThrow(), new SecureRandom())),
              settings.totp(),
              Clock.systemUTC(),
              e -> {});
      admin.add("carol", Secret.of("carol-password"), Set.of());
      admin.mapUpstream("carol", "mbox", Optional.of(Secret.of("mbox-pw")), Optional.empty());
      // dave has TOTP: the directory alone would always ask him for a code.
      admin.add("dave", Secret.of("dave-password"), Set.of());
      admin.mapUpstream("dave", "mbox", Optional.of(Secret.of("mbox-pw")), Optional.empty());
      String seed = admin.enrolTotp("dave").secret();
      Totp totp = new Totp(TotpParameters.DEFAULT, Clock.systemUTC());
      admin.confirmTotp("dave", totp.generate(Base32.decode(seed), totp.currentStep()));
    }
    fixture = GatewayFixture.withGreenMail(dataDir, GatewayLimits.defaults(), auth, policy);
    fixture.user("mbox", "mbox-pw");
  }

  @AfterEach
  void stop() {
    fixture.close();
  }

  @Test
  void denyByNetworkShouldRefuseEvenTheRightPassword() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThat(login("127.0.0.3")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
      assertThat(logs.audit())
          .anyMatch(l -> l.contains("policy-denied:blocked-network (rule deny-blocked)"));
    }
  }

  @Test
  void passwordOnlyLoginShouldNeedASecondFactorOutsideTheOfficeOnly() throws Exception {
    assertThat(login("127.0.0.1")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    assertThat(login("127.0.0.2")).isEqualTo(Pop3Reply.LOGGED_IN.text());
  }

  @Test
  void policyOffShouldLetAnEnrolledUserInWithThePasswordAloneFromTheOfficeOnly() throws Exception {
    assertThat(login("127.0.0.2", "dave", "dave-password")).isEqualTo(Pop3Reply.LOGGED_IN.text());
    assertThat(login("127.0.0.1", "dave", "dave-password")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
  }

  @Test
  void monitorRuleShouldBeLoggedAndChangeNothing() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThat(login("127.0.0.2")).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(logs.audit())
          .anyMatch(
              l ->
                  l.contains("\"event\":\"policy-monitor\"")
                      && l.contains("\"rule\":\"carol-rollout\"")
                      && l.contains("would-refuse:policy-denied:rollout-check"));
    }
  }

  @Test
  void editedPolicyShouldApplyToNewLoginsWithoutRestart() throws Exception {
    assertThat(login("127.0.0.2")).isEqualTo(Pop3Reply.LOGGED_IN.text());
    // The office moves: 127.0.0.2 is now outside it and needs a second factor.
    Files.writeString(policy, POLICY.replace("office: [127.0.0.2/32]", "office: [127.0.0.9/32]"));
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> login("127.0.0.2").equals(Pop3Reply.AUTH_FAILED.text()));
  }

  @Test
  void invalidEditShouldKeepThePreviousPolicyAndSayWhy() throws Exception {
    try (CapturedLogs logs = new CapturedLogs()) {
      // Widening the deny shadows the office rule: the validator refuses the whole file.
      Files.writeString(policy, POLICY.replace("[127.0.0.3/32]", "[127.0.0.2/32, 127.0.0.3/32]"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(15))
          .until(
              () ->
                  logs.lines().stream()
                      .anyMatch(l -> l.contains("'office-password-only' is unreachable")));
      assertThat(login("127.0.0.2")).isEqualTo(Pop3Reply.LOGGED_IN.text());
    }
  }

  private String login(String from) throws Exception {
    return login(from, "carol", "carol-password");
  }

  private String login(String from, String user, String password) throws Exception {
    try (LineClient client =
        LineClient.tlsFrom(fixture.pop3s(), fixture.trust(), InetAddress.getByName(from))) {
      client.readLine();
      client.send("USER " + user + "\r\nPASS " + password + "\r\n");
      client.readLine();
      return client.readLine();
    }
  }
}
