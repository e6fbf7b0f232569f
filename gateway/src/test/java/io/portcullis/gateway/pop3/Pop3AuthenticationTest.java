package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.Secret;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.SecondFactorRule;
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
import io.portcullis.gateway.testing.JwksServer;
import io.portcullis.gateway.testing.LineClient;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auth.mode: local end to end over POP3 with a GreenMail mailbox: password + TOTP, app passwords,
 * OAuth2 bearer tokens (RFC 7628) against a real JWKS endpoint, and throttling (THREATS A1, A5,
 * A6).
 */
class Pop3AuthenticationTest {
  private static final String MAILBOX = "mbox";
  private static final String MAILBOX_PASSWORD = "mbox-upstream-pw";

  @TempDir Path dataDir;
  private JwksServer idp;
  private GatewayFixture fixture;
  private String totpSecret;
  private String appPassword;

  @BeforeEach
  void start() throws Exception {
    idp = JwksServer.start();
    AuthConfig auth =
        new AuthConfig(
            "local",
            dataDir.resolve("users.yml"),
            dataDir.resolve("master.key"),
            new AuthConfig.SecondFactorConfig("none", null, null),
            null,
            null,
            new AuthConfig.ThrottleConfig(
                Duration.ofMillis(50),
                Duration.ofMillis(200),
                null,
                6,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null,
                null),
            new AuthConfig.BearerConfig(
                idp.jwksUri(),
                JwksServer.ISSUER,
                List.of(JwksServer.AUDIENCE),
                List.of("mail"),
                List.of("RS256"),
                "preferred_username",
                null,
                null,
                null,
                null,
                null));
    createUsers(auth.toSettings(dataDir));
    fixture = GatewayFixture.withGreenMail(dataDir, GatewayLimits.defaults(), auth);
    fixture.user(MAILBOX, MAILBOX_PASSWORD);
  }

  private void createUsers(AuthSettings settings) {
    Clock clock = Clock.systemUTC();
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(settings.usersFile()),
              hasher,
              new SecretBox(
                  MasterKey.generate(settings.keyFile().orElseThrow(), new SecureRandom())),
              settings.totp(),
              clock,
              e -> {});
      for (String user : List.of("alice", "bob", "carol")) {
        admin.add(user, Secret.of(user + "-password"), Set.of());
        admin.mapUpstream(
            user, MAILBOX, Optional.of(Secret.of(MAILBOX_PASSWORD)), Optional.empty());
      }
      totpSecret = admin.enrolTotp("alice").secret();
      admin.confirmTotp("alice", currentCode());
      admin.setSecondFactor("alice", SecondFactorRule.REQUIRED);
      admin.setSecondFactor("bob", SecondFactorRule.REQUIRED);
      appPassword = admin.addAppPassword("bob", "phone", Set.of("pop3"));
    }
  }

  @AfterEach
  void stop() {
    fixture.close();
    idp.close();
  }

  @Test
  void passwordFollowedByTotpCodeShouldLogInOnceAndTheSameCodeNeverAgain() throws Exception {
    String code = currentCode();
    assertThat(userPass("alice", "alice-password" + code)).isEqualTo(Pop3Reply.LOGGED_IN.text());
    assertThat(userPass("alice", "alice-password" + code)).isEqualTo(Pop3Reply.AUTH_FAILED.text());
  }

  @Test
  void passwordAloneOrWithAWrongCodeShouldFailWithTheUniformText() throws Exception {
    assertThat(userPass("alice", "alice-password")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    assertThat(userPass("alice", "alice-password000000")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    assertThat(userPass("nobody", "x123456")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
  }

  @Test
  void appPasswordShouldLogInWhereThePasswordAloneIsRefused() throws Exception {
    assertThat(userPass("bob", "bob-password")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    assertThat(userPass("bob", appPassword)).isEqualTo(Pop3Reply.LOGGED_IN.text());
  }

  @Test
  void userWithoutSecondFactorRequirementShouldLogInWithThePassword() throws Exception {
    assertThat(userPass("carol", "carol-password")).isEqualTo(Pop3Reply.LOGGED_IN.text());
  }

  @Test
  void oauthbearerTokenShouldLogIn() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(5));
    String message = "n,a=carol,\u0001auth=Bearer " + token + "\u0001\u0001";
    try (LineClient client = connect()) {
      client.send("AUTH OAUTHBEARER " + b64(message) + "\r\nSTAT\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
      assertThat(client.readLine()).startsWith("+OK 0 ");
    }
  }

  @Test
  void xoauth2TokenShouldLogIn() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(5));
    try (LineClient client = connect()) {
      client.send(
          "AUTH XOAUTH2 " + b64("user=carol\u0001auth=Bearer " + token + "\u0001\u0001") + "\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.LOGGED_IN.text());
    }
  }

  @Test
  void a5ExpiredTokenShouldGetTheErrorChallengeThenTheUniformFailure() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(-5));
    try (CapturedLogs logs = new CapturedLogs();
        LineClient client = connect()) {
      client.send(
          "AUTH OAUTHBEARER "
              + b64("n,a=carol,\u0001auth=Bearer " + token + "\u0001\u0001")
              + "\r\n");
      String challenge = client.readLine();
      assertThat(challenge).startsWith("+ ");
      assertThat(
              new String(
                  Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8))
          .contains("\"status\":\"invalid_token\"");
      client.send(b64("\u0001") + "\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
      assertThat(logs.audit())
          .anyMatch(l -> l.contains("\"outcome\":\"failure\"") && l.contains("OAUTHBEARER"));
      assertThat(logs.lines()).noneMatch(l -> l.contains(token));
    }
  }

  @Test
  void a5TokenForAnotherUserThanTheGs2HeaderNamesShouldFail() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(5));
    try (LineClient client = connect()) {
      client.send(
          "AUTH OAUTHBEARER "
              + b64("n,a=alice,\u0001auth=Bearer " + token + "\u0001\u0001")
              + "\r\n");
      assertThat(client.readLine()).startsWith("+ ");
      client.send(b64("\u0001") + "\r\n");
      assertThat(client.readLine()).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
  }

  @Test
  void a6AttackerBlockedOnOneNetworkShouldNotLockOutTheUserFromAnother() throws Exception {
    InetAddress attacker = InetAddress.getByName("127.0.0.1");
    InetAddress office = InetAddress.getByName("127.0.0.2");
    for (int i = 0; i < 8; i++) {
      assertThat(userPassFrom(attacker, "carol", "guess-" + i))
          .isEqualTo(Pop3Reply.AUTH_FAILED.text());
    }
    assertThat(userPassFrom(attacker, "carol", "carol-password"))
        .as("the attacking network stays blocked even with the right password")
        .isEqualTo(Pop3Reply.AUTH_FAILED.text());
    assertThat(userPassFrom(office, "carol", "carol-password"))
        .isEqualTo(Pop3Reply.LOGGED_IN.text());
  }

  @Test
  void userAddedToTheFileWhileRunningShouldLogInWithoutARestart() throws Exception {
    assertThat(userPass("dave", "dave-password")).isEqualTo(Pop3Reply.AUTH_FAILED.text());
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(dataDir.resolve("users.yml")),
              hasher,
              new SecretBox(MasterKey.fromFile(dataDir.resolve("master.key"))),
              new AuthSettings.Totp(TotpParameters.DEFAULT, "Portcullis"),
              Clock.systemUTC(),
              e -> {});
      admin.add("dave", Secret.of("dave-password"), Set.of());
      admin.mapUpstream(
          "dave", MAILBOX, Optional.of(Secret.of(MAILBOX_PASSWORD)), Optional.empty());
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(15))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> userPass("dave", "dave-password").equals(Pop3Reply.LOGGED_IN.text()));
  }

  private String userPass(String user, String password) throws Exception {
    return userPassFrom(InetAddress.getByName("127.0.0.1"), user, password);
  }

  private String userPassFrom(InetAddress from, String user, String password) throws Exception {
    try (LineClient client = LineClient.tlsFrom(fixture.pop3s(), fixture.trust(), from)) {
      client.readLine();
      client.send("USER " + user + "\r\nPASS " + password + "\r\n");
      client.readLine();
      return client.readLine();
    }
  }

  private LineClient connect() throws Exception {
    LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust());
    client.readLine();
    return client;
  }

  private String currentCode() {
    Totp totp = new Totp(TotpParameters.DEFAULT, Clock.systemUTC());
    return totp.generate(Base32.decode(totpSecret), totp.currentStep());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
