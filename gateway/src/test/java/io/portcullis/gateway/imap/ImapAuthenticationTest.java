package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
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
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.gateway.testing.JwksServer;
import io.portcullis.gateway.testing.LineClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.mode: local over IMAP with a GreenMail mailbox: password + TOTP, app password, tokens. */
class ImapAuthenticationTest {
  private static final Endpoint IMAPS = Endpoint.parse("imaps://127.0.0.1:0");

  @TempDir Path dataDir;
  private GreenMail greenMail;
  private JwksServer idp;
  private GatewayServer gateway;
  private String totpSecret;
  private String appPassword;

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()});
    greenMail.start();
    greenMail.setUser("mbox@localhost", "mbox", "mbox-pw");
    idp = JwksServer.start();
    AuthConfig auth =
        new AuthConfig(
            "local",
            dataDir.resolve("users.yml"),
            dataDir.resolve("master.key"),
            new AuthConfig.SecondFactorConfig("none", null, null),
            null,
            null,
            AuthConfig.ThrottleConfig.delays(Duration.ofMillis(10), Duration.ofMillis(20)),
            new AuthConfig.BearerConfig(
                idp.jwksUri(),
                JwksServer.ISSUER,
                List.of(JwksServer.AUDIENCE),
                List.of(),
                List.of("RS256"),
                "preferred_username",
                null,
                null,
                null,
                null,
                null));
    var settings = auth.toSettings(dataDir);
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(settings.usersFile()),
              hasher,
              new SecretBox(
                  MasterKey.generate(settings.keyFile().orElseThrow(), new SecureRandom())),
              settings.totp(),
              Clock.systemUTC(),
              e -> {});
      for (String user : List.of("alice", "bob", "carol")) {
        admin.add(user, Secret.of(user + "-password"), Set.of());
        admin.mapUpstream(user, "mbox", Optional.of(Secret.of("mbox-pw")), Optional.empty());
      }
      totpSecret = admin.enrolTotp("alice").secret();
      admin.confirmTotp("alice", code());
      admin.setSecondFactor("bob", SecondFactorRule.REQUIRED);
      appPassword = admin.addAppPassword("bob", "laptop", Set.of("imap"));
    }
    gateway =
        GatewayServer.start(
            new GatewayConfig(
                dataDir,
                List.of(new ListenerConfig(IMAPS)),
                List.of(
                    new UpstreamConfig(
                        Endpoint.parse("imap://127.0.0.1:" + greenMail.getImap().getPort()), null)),
                null,
                null,
                false,
                auth,
                null),
            Clock.systemUTC());
  }

  @AfterEach
  void stop() {
    gateway.close();
    greenMail.stop();
    idp.close();
  }

  @Test
  void loginWithPasswordAndTotpCodeShouldWorkOnceOnly() throws Exception {
    String code = code();
    assertThat(login("alice", "alice-password" + code)).startsWith("a OK [CAPABILITY ");
    assertThat(login("alice", "alice-password" + code))
        .isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
    assertThat(login("alice", "alice-password"))
        .isEqualTo("a NO [AUTHENTICATIONFAILED] Authentication failed");
  }

  @Test
  void appPasswordShouldLogInWhereThePasswordAloneIsRefused() throws Exception {
    assertThat(login("bob", "bob-password")).startsWith("a NO [AUTHENTICATIONFAILED]");
    assertThat(login("bob", appPassword)).startsWith("a OK [CAPABILITY ");
  }

  @Test
  void xoauth2AndOauthbearerWithSaslIrShouldLogIn() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(5));
    try (LineClient c = connect()) {
      c.send(
          "a AUTHENTICATE XOAUTH2 "
              + b64("user=carol\u0001auth=Bearer " + token + "\u0001\u0001")
              + "\r\nb SELECT INBOX\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
      assertThat(readTagged(c, "b ")).startsWith("b OK");
    }
    try (LineClient c = connect()) {
      c.send(
          "a AUTHENTICATE OAUTHBEARER "
              + b64("n,a=carol,\u0001auth=Bearer " + token + "\u0001\u0001")
              + "\r\n");
      assertThat(c.readLine()).startsWith("a OK [CAPABILITY ");
    }
  }

  @Test
  void expiredTokenShouldGetTheErrorChallengeThenNo() throws Exception {
    String token = idp.token("carol", Duration.ofMinutes(-5));
    try (LineClient c = connect()) {
      c.send(
          "a AUTHENTICATE OAUTHBEARER "
              + b64("n,a=carol,\u0001auth=Bearer " + token + "\u0001\u0001")
              + "\r\n");
      String challenge = c.readLine();
      assertThat(challenge).startsWith("+ ");
      assertThat(
              new String(
                  Base64.getDecoder().decode(challenge.substring(2)), StandardCharsets.UTF_8))
          .contains("invalid_token");
      c.send(b64("\u0001") + "\r\n");
      assertThat(c.readLine()).startsWith("a NO [AUTHENTICATIONFAILED]");
    }
  }

  @Test
  void capabilityShouldAdvertiseTheConfiguredMechanisms() throws Exception {
    try (LineClient c = connect()) {
      c.send("a CAPABILITY\r\n");
      assertThat(c.readLine())
          .contains("AUTH=PLAIN", "AUTH=LOGIN", "AUTH=OAUTHBEARER", "AUTH=XOAUTH2")
          .doesNotContain("LOGINDISABLED");
    }
  }

  private String login(String user, String password) throws Exception {
    try (LineClient c = connect()) {
      c.send("a LOGIN " + user + " \"" + password + "\"\r\n");
      return c.readLine();
    }
  }

  private LineClient connect() throws Exception {
    LineClient c =
        LineClient.tls(
            gateway.boundAddress(IMAPS),
            io.portcullis.gateway.testing.GatewayFixture.trusting(
                dataDir.resolve("tls").resolve("cert.pem")));
    c.readLine();
    return c;
  }

  private static String readTagged(LineClient c, String tag) throws Exception {
    String line;
    while ((line = c.readLine()) != null && !line.startsWith(tag)) {
      // untagged SELECT data
    }
    return line;
  }

  private String code() {
    Totp totp = new Totp(TotpParameters.DEFAULT, Clock.systemUTC());
    return totp.generate(Base32.decode(totpSecret), totp.currentStep());
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }
}
