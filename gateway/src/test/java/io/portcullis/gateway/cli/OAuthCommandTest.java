package io.portcullis.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.oauth.testing.TestAuthorizationServer;
import io.portcullis.auth.secret.MasterKey;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code portcullis oauth authorize|list|show|revoke} against the local authorization server. */
class OAuthCommandTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;
  private InputStream savedIn;
  private TestAuthorizationServer idp;
  private Path config;

  @BeforeEach
  void start() throws Exception {
    savedOut = System.out;
    savedErr = System.err;
    savedIn = System.in;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setIn(new ByteArrayInputStream(new byte[0]));
    idp = TestAuthorizationServer.start();
    MasterKey.generate(dir.resolve("portcullis.key"), new SecureRandom());
    config = dir.resolve("portcullis.yml");
    Files.writeString(
        config,
        """
        data-dir: %s
        auth:
          key-file: %s
        oauth:
          providers:
            local:
              type: generic
              client-id: %s
              authorization-endpoint: %s
              token-endpoint: %s
              device-endpoint: %s
              revocation-endpoint: %s
              scopes: [mail, offline_access]
          accounts:
            shared-sales:
              provider: local
              login-user: sales@example.com
              owner: alice@example.com
        """
            .formatted(
                dir,
                dir.resolve("portcullis.key"),
                TestAuthorizationServer.CLIENT_ID,
                idp.authorizationEndpoint(),
                idp.tokenEndpoint(),
                idp.deviceEndpoint(),
                idp.revocationEndpoint()));
  }

  @AfterEach
  void stop() {
    System.setOut(savedOut);
    System.setErr(savedErr);
    System.setIn(savedIn);
    idp.close();
  }

  private int run(String... args) {
    return PortcullisCommand.commandLine().execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void authorizeShouldPrintTheAddressThenStoreTokensWhenTheBrowserIsRedirected() throws Exception {
    CompletableFuture<Integer> cli =
        CompletableFuture.supplyAsync(
            () -> run("oauth", "--config", config.toString(), "authorize", "shared-sales"));
    Pattern address = Pattern.compile("  (http://127\\.0\\.0\\.1:\\d+/authorize\\?\\S+)");
    Matcher m = Awaitility.await().until(() -> address.matcher(out()), Matcher::find);
    HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build()
        .send(
            HttpRequest.newBuilder(URI.create(m.group(1))).build(),
            HttpResponse.BodyHandlers.discarding());

    assertThat(cli.get()).isZero();
    assertThat(out())
        .contains("authorised shared-sales")
        .contains("login user:          sales@example.com")
        .contains("token owner:         alice@example.com (shared)")
        .contains("login_hint=alice@example.com")
        .doesNotContain(idp.issued().getLast().refreshToken());

    out.reset();
    assertThat(run("oauth", "list", "--config", config.toString())).isZero();
    assertThat(out()).containsPattern("shared-sales +local +sales@example.com +authorised");

    out.reset();
    assertThat(run("oauth", "--config", config.toString(), "revoke", "shared-sales")).isZero();
    assertThat(out()).contains("the provider confirmed the revocation");
    assertThat(idp.liveRefreshTokens()).isEmpty();
    out.reset();
    assertThat(run("oauth", "show", "shared-sales", "--config", config.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("is not authorised");
  }

  @Test
  void authorizeShouldRefuseAnUnknownAccountNamingTheConfiguredOnes() {
    assertThat(run("oauth", "--config", config.toString(), "authorize", "nobody")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("no oauth account 'nobody'")
        .contains("shared-sales");
  }

  @Test
  void missingConfigShouldBeNamed() {
    assertThat(run("oauth", "list")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("--config FILE is required");
  }

  @Test
  void listShouldRefuseATamperedStore() throws Exception {
    Files.writeString(
        dir.resolve("oauth-tokens.json"), "pcs1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    assertThat(run("oauth", "--config", config.toString(), "list")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("oauth-tokens.json is refused")
        .contains("tampered with");
  }
}
