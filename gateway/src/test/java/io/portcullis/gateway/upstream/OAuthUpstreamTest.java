package io.portcullis.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.auth.Secret;
import io.portcullis.auth.TestClock;
import io.portcullis.auth.UserAdmin;
import io.portcullis.auth.directory.UserDirectory;
import io.portcullis.auth.oauth.CodeAuthorization;
import io.portcullis.auth.oauth.EncryptedTokenStore;
import io.portcullis.auth.oauth.OAuthBroker;
import io.portcullis.auth.oauth.OAuthSettings;
import io.portcullis.auth.oauth.testing.TestAuthorizationServer;
import io.portcullis.auth.password.PasswordHasher;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.OAuthConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upstream OAuth2 broker end to end: a legacy password client logs in to the gateway, which
 * logs in to GreenMail (POP3 and IMAP) with SASL XOAUTH2 and a token it obtained from the local
 * authorization server. GreenMail checks an XOAUTH2 token as the user's password, so each test
 * makes the newest issued token the mailbox password: a login succeeds only if that very token
 * reached the upstream.
 */
class OAuthUpstreamTest {
  private static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");
  private static final Endpoint IMAPS = Endpoint.parse("imaps://127.0.0.1:0");
  private static final String ACCOUNT = "m365-alice";
  private static final String MAILBOX = "alice@example.com";
  private static final String POP3_LOGGED_IN = "+OK Logged in";
  private static final String POP3_AUTH_FAILED = "-ERR [AUTH] Authentication failed";
  private static final String POP3_TEMPORARY =
      "-ERR [SYS/TEMP] Service temporarily unavailable, try again later";
  private static final String IMAP_AUTH_FAILED =
      "a NO [AUTHENTICATIONFAILED] Authentication failed";
  private static final String IMAP_UNAVAILABLE =
      "a NO [UNAVAILABLE] Service temporarily unavailable, try again later";

  @TempDir Path dataDir;
  private final TestClock clock = new TestClock(Instant.now());
  private TestAuthorizationServer idp;
  private GreenMail greenMail;
  private GreenMailUser mailbox;
  private GatewayServer gateway;
  private AuthConfig auth;
  private OAuthConfig oauth;
  private SecretBox box;

  @BeforeEach
  void start() throws Exception {
    idp = TestAuthorizationServer.start();
    greenMail =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort(),
              new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()
            });
    greenMail.start();
    mailbox = greenMail.setUser(MAILBOX, MAILBOX, "no-password-works");
    greenMail.setUser("dora@localhost", "dora", "dora-password");
    idp.onIssue(issued -> mailbox.setPassword(issued.accessToken()));

    auth =
        new AuthConfig(
            "local",
            dataDir.resolve("users.yml"),
            dataDir.resolve("master.key"),
            new AuthConfig.SecondFactorConfig("none", null, null),
            null,
            null,
            null,
            null);
    oauth =
        new OAuthConfig(
            null,
            null,
            null,
            null,
            Duration.ofSeconds(2),
            Map.of(
                "test",
                new OAuthConfig.ProviderConfig(
                    "generic",
                    null,
                    TestAuthorizationServer.CLIENT_ID,
                    null,
                    idp.authorizationEndpoint(),
                    idp.tokenEndpoint(),
                    idp.deviceEndpoint(),
                    idp.revocationEndpoint(),
                    List.of("mail", "offline_access"))),
            Map.of(ACCOUNT, new OAuthConfig.AccountConfig("test", MAILBOX, null)));
    box = new SecretBox(MasterKey.generate(dataDir.resolve("master.key"), new SecureRandom()));
    try (PasswordHasher hasher = PasswordHasher.withDefaults()) {
      UserAdmin admin =
          new UserAdmin(
              UserDirectory.open(dataDir.resolve("users.yml")),
              hasher,
              box,
              auth.toSettings(dataDir).totp(),
              clock,
              e -> {});
      admin.add("alice", Secret.of("alice-password"), Set.of());
      admin.mapUpstream("alice", MAILBOX, Optional.empty(), Optional.of(ACCOUNT));
      admin.add("dora", Secret.of("dora-password"), Set.of());
    }
    authorise(box);
  }

  /** `portcullis oauth authorize` as the operator runs it, with an HTTP client as the browser. */
  private void authorise(SecretBox box) throws Exception {
    OAuthSettings settings = oauth.toSettings(dataDir, Optional.empty());
    EncryptedTokenStore store = EncryptedTokenStore.open(settings.storeFile(), box);
    try (CodeAuthorization authorization = CodeAuthorization.start(settings, ACCOUNT, store)) {
      HttpClient.newBuilder()
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build()
          .send(
              HttpRequest.newBuilder(authorization.authorizationUrl()).build(),
              HttpResponse.BodyHandlers.discarding());
      authorization.complete(Optional.empty(), notice -> {}, Duration.ofSeconds(10));
    }
  }

  private void startGateway(Path policy) throws Exception {
    GatewayConfig config =
        new GatewayConfig(
                dataDir,
                List.of(new ListenerConfig(POP3S), new ListenerConfig(IMAPS)),
                List.of(
                    new UpstreamConfig(
                        Endpoint.parse("pop3://127.0.0.1:" + greenMail.getPop3().getPort()), null),
                    new UpstreamConfig(
                        Endpoint.parse("imap://127.0.0.1:" + greenMail.getImap().getPort()), null)),
                null,
                GatewayLimits.defaults(),
                false,
                auth,
                policy)
            .withOAuth(oauth);
    gateway = GatewayServer.start(config, clock);
  }

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    greenMail.stop();
    idp.close();
  }

  @Test
  void pop3PasswordLoginShouldReachTheMailboxWithTheBrokeredToken() throws Exception {
    startGateway(null);
    assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_LOGGED_IN);
    assertThat(idp.refreshRequests()).isZero();
  }

  @Test
  void imapLoginShouldReachTheMailboxWithTheBrokeredToken() throws Exception {
    startGateway(null);
    assertThat(imap("alice", "alice-password")).startsWith("a OK");
  }

  @Test
  void upstreamRefusingTheTokenShouldFailUniformly() throws Exception {
    startGateway(null);
    mailbox.setPassword("another-token");
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_AUTH_FAILED);
      Awaitility.await()
          .until(() -> logs.audit().stream().anyMatch(l -> l.contains("upstream-rejected")));
    }
  }

  @Test
  void expiredTokenShouldBeRefreshedOnceAndTheNewTokenUsed() throws Exception {
    startGateway(null);
    String first = idp.issued().getLast().accessToken();
    clock.advance(Duration.ofMinutes(58)); // inside the 5-minute refresh margin
    assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_LOGGED_IN);
    assertThat(imap("alice", "alice-password")).startsWith("a OK");
    assertThat(idp.refreshRequests()).isEqualTo(1);
    assertThat(idp.issued().getLast().accessToken()).isNotEqualTo(first);
  }

  @Test
  void revokedGrantShouldFailUniformlyAndTellTheOperatorToReauthorise() throws Exception {
    startGateway(null);
    idp.revokeAll();
    clock.advance(Duration.ofHours(2));
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_AUTH_FAILED);
      assertThat(imap("alice", "alice-password")).isEqualTo(IMAP_AUTH_FAILED);
      Awaitility.await()
          .until(
              () ->
                  logs.audit().stream()
                      .anyMatch(l -> l.contains("oauth-grant-invalid:" + ACCOUNT)));
      assertThat(logs.lines())
          .anyMatch(
              l ->
                  l.contains("oauth account " + ACCOUNT)
                      && l.contains("re-authorise with `portcullis oauth authorize " + ACCOUNT));
      assertThat(String.join("\n", logs.lines()))
          .doesNotContain(idp.issued().getLast().refreshToken())
          .doesNotContain(idp.issued().getLast().accessToken());
    }
  }

  @Test
  void tokenEndpointDownShouldBeATemporaryFailure() throws Exception {
    startGateway(null);
    idp.failTokenRequests(503);
    clock.advance(Duration.ofHours(2));
    assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_TEMPORARY);
    assertThat(imap("alice", "alice-password")).isEqualTo(IMAP_UNAVAILABLE);
  }

  @Test
  void oauth2RouteShouldRefuseAUserWithoutAnOAuthAccount() throws Exception {
    Path policy = dataDir.resolve("policy.yml");
    Files.writeString(
        policy,
        """
        version: 1
        defaults:
          routing:
            upstream: default
            credentials: oauth2
        """);
    startGateway(policy);
    try (CapturedLogs logs = new CapturedLogs()) {
      assertThat(pop3("dora", "dora-password")).isEqualTo(POP3_AUTH_FAILED);
      assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_LOGGED_IN);
      Awaitility.await()
          .until(
              () ->
                  logs.audit().stream()
                      .anyMatch(
                          l ->
                              l.contains("\"user\":\"dora\"")
                                  && l.contains("credential-mode-mismatch")
                                  && l.contains("user has client-credentials")));
    }
  }

  @Test
  void mappedRouteShouldRefuseAUserWhoseUpstreamIsAnOAuthAccount() throws Exception {
    Path policy = dataDir.resolve("policy.yml");
    Files.writeString(
        policy,
        """
        version: 1
        defaults:
          routing:
            upstream: default
            credentials: mapped
        """);
    startGateway(policy);
    assertThat(pop3("alice", "alice-password")).isEqualTo(POP3_AUTH_FAILED);
    assertThat(pop3("dora", "dora-password")).isEqualTo(POP3_AUTH_FAILED);
  }

  @Test
  void refreshTokenAboutToExpireShouldShowInTheMetricAndWarnTheOperator() throws Exception {
    idp.refreshTokenLifetime(Duration.ofDays(3).toSeconds());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (CapturedLogs logs = new CapturedLogs();
        OAuthBroker broker =
            OAuthBroker.create(oauth.toSettings(dataDir, Optional.empty()), box, clock)) {
      OAuthMetrics.register(registry, broker);
      clock.advance(Duration.ofHours(2));
      broker.accessToken(ACCOUNT).join();

      assertThat(registry.get("portcullis.oauth.refresh.token.expiry").gauge().value())
          .isEqualTo(Duration.ofDays(3).toSeconds());
      assertThat(registry.get("portcullis.oauth.refreshes").functionCounter().count()).isOne();
      assertThat(logs.lines())
          .anyMatch(
              l ->
                  l.contains("the refresh token expires at")
                      && l.contains("portcullis oauth authorize " + ACCOUNT));

      idp.revokeAll();
      clock.advance(Duration.ofHours(2));
      assertThat(broker.accessToken(ACCOUNT)).failsWithin(Duration.ofSeconds(5));
      assertThat(
              registry
                  .get("portcullis.oauth.token.failures")
                  .tag("reason", "oauth-grant-invalid")
                  .functionCounter()
                  .count())
          .isOne();
    }
  }

  private SSLSocketFactory trust() throws Exception {
    return GatewayFixture.trusting(dataDir.resolve("tls").resolve("cert.pem"));
  }

  private String pop3(String user, String password) throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(POP3S), trust())) {
      c.readLine();
      c.send("USER " + user + "\r\n");
      c.readLine();
      c.send("PASS " + password + "\r\n");
      return c.readLine();
    }
  }

  private String imap(String user, String password) throws Exception {
    try (LineClient c = LineClient.tls(gateway.boundAddress(IMAPS), trust())) {
      c.readLine();
      c.send("a LOGIN " + user + " " + password + "\r\n");
      String line;
      do {
        line = c.readLine();
      } while (line.startsWith("* "));
      return line;
    }
  }
}
