package io.portcullis.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.client.http.javanet.NetHttpTransport;
import java.io.BufferedReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** First authorisation by code + PKCE (loopback and pasted) and by device grant. */
class AuthorizationFlowTest {
  @TempDir Path dir;
  private OAuthFixture f;

  @BeforeEach
  void start() throws Exception {
    f = new OAuthFixture(dir);
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private CodeAuthorization code() throws Exception {
    return CodeAuthorization.start(
        f.settings, OAuthFixture.ACCOUNT, f.store(), new NetHttpTransport(), f.clock);
  }

  @Test
  void codeFlowWithPkceShouldStoreTokensWhenTheBrowserFollowsTheLoopbackRedirect()
      throws Exception {
    try (CodeAuthorization auth = code()) {
      URI url = auth.authorizationUrl();
      assertThat(url.getQuery())
          .contains("code_challenge_method=S256")
          .contains("code_challenge=")
          .contains("state=")
          .contains("redirect_uri=http://127.0.0.1:")
          .contains("login_hint=alice@example.com");
      HttpResponse<String> page = browser().send(get(url), HttpResponse.BodyHandlers.ofString());
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.uri().getHost()).isEqualTo("127.0.0.1");

      TokenStatus status = auth.complete(Optional.empty(), notice -> {}, Duration.ofSeconds(5));

      assertThat(status.refreshToken()).isTrue();
      assertThat(status.authorizedAt()).contains(f.clock.instant());
    }
    try (OAuthBroker broker = f.broker()) {
      assertThat(broker.accessToken(OAuthFixture.ACCOUNT).join().value())
          .isEqualTo(f.server.issued().getLast().accessToken());
    }
  }

  @Test
  void codeFlowShouldAcceptTheRedirectedAddressPastedFromAnotherMachine() throws Exception {
    try (CodeAuthorization auth = code()) {
      // The browser elsewhere cannot reach our loopback: it shows an error page at this address.
      HttpResponse<Void> redirect =
          noRedirects().send(get(auth.authorizationUrl()), HttpResponse.BodyHandlers.discarding());
      String location = redirect.headers().firstValue("Location").orElseThrow();
      BufferedReader stdin =
          new BufferedReader(new StringReader("not an address\n" + location + "\n"));

      java.util.List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
      TokenStatus status = auth.complete(Optional.of(stdin), notices::add, Duration.ofSeconds(5));

      assertThat(status.refreshToken()).isTrue();
      assertThat(notices).containsExactly("That is not an address; paste the whole address.");
    }
  }

  @Test
  void loginCsrfRedirectWithAnotherStateShouldBeIgnored() throws Exception {
    try (CodeAuthorization auth = code()) {
      URI forged = auth.redirectUri().resolve("/?code=attacker-code&state=forged");
      assertThat(browser().send(get(forged), HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(400);
      assertThatThrownBy(() -> auth.completeWith(forged))
          .isInstanceOf(OAuthException.class)
          .hasMessageContaining("state");
      assertThat(f.store().statuses()).isEmpty();
    }
  }

  @Test
  void refusedConsentShouldFailClearly() throws Exception {
    f.server.denyConsent(true);
    try (CodeAuthorization auth = code()) {
      browser().send(get(auth.authorizationUrl()), HttpResponse.BodyHandlers.ofString());
      assertThatThrownBy(() -> auth.complete(Optional.empty(), notice -> {}, Duration.ofSeconds(5)))
          .isInstanceOf(OAuthException.class)
          .hasMessageContaining("access_denied");
    }
  }

  @Test
  void deviceGrantShouldPollUntilTheUserConsentsThenStoreTokens() throws Exception {
    int[] polls = {0};
    DeviceAuthorization device =
        new DeviceAuthorization(
            f.settings,
            OAuthFixture.ACCOUNT,
            f.store(),
            new NetHttpTransport(),
            f.clock,
            millis -> {
              // Time passes for the poller only; the user consents on the third poll.
              f.clock.advance(Duration.ofMillis(millis));
              if (++polls[0] == 3) {
                f.server.approveDevice("WDJB-MJHT");
              }
            });
    DeviceAuthorization.Prompt prompt = device.start();
    assertThat(prompt.userCode()).isEqualTo("WDJB-MJHT");
    assertThat(prompt.verificationUri().getPath()).isEqualTo("/device/verify");

    TokenStatus status = device.await();

    assertThat(status.refreshToken()).isTrue();
    assertThat(polls[0]).isEqualTo(3);
    assertThat(f.server.tokenRequests()).isEqualTo(3);
  }

  @Test
  void deviceGrantShouldPollMoreSlowlyWhenToldToSlowDown() throws Exception {
    java.util.List<Long> waits = new java.util.ArrayList<>();
    f.server.slowDownOnce();
    DeviceAuthorization device =
        new DeviceAuthorization(
            f.settings,
            OAuthFixture.ACCOUNT,
            f.store(),
            new NetHttpTransport(),
            f.clock,
            millis -> {
              waits.add(millis);
              f.clock.advance(Duration.ofMillis(millis));
              if (waits.size() == 2) {
                f.server.approveDevice("WDJB-MJHT");
              }
            });
    device.start();
    device.await();
    // The server's interval is 1 s; slow_down adds 5 s to every later poll (RFC 8628 §3.5).
    assertThat(waits).containsExactly(1_000L, 6_000L);
  }

  @Test
  void deviceGrantShouldStopWhenTheUserRefuses() throws Exception {
    DeviceAuthorization device =
        new DeviceAuthorization(
            f.settings,
            OAuthFixture.ACCOUNT,
            f.store(),
            new NetHttpTransport(),
            f.clock,
            millis -> f.server.denyDevice("WDJB-MJHT"));
    device.start();
    assertThatThrownBy(device::await)
        .isInstanceOf(OAuthException.class)
        .hasMessageContaining("refused");
  }

  @Test
  void deviceGrantShouldStopWhenTheCodeExpires() throws Exception {
    DeviceAuthorization device =
        new DeviceAuthorization(
            f.settings,
            OAuthFixture.ACCOUNT,
            f.store(),
            new NetHttpTransport(),
            f.clock,
            millis -> f.clock.advance(Duration.ofMinutes(5)));
    device.start();
    assertThatThrownBy(device::await)
        .isInstanceOf(OAuthException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void googlePresetShouldAskForOfflineAccessConsentAndTheGmailScope() throws Exception {
    OAuthSettings google =
        new OAuthSettings(
            java.util.Map.of(
                "gmail",
                OAuthProvider.google("gmail", "id.apps.googleusercontent.com", Optional.empty())),
            java.util.Map.of("g", new OAuthAccount("g", "gmail", "bob@gmail.com", null)),
            f.settings.storeFile(),
            Optional.empty(),
            Duration.ofMinutes(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
    try (CodeAuthorization auth =
        CodeAuthorization.start(google, "g", f.store(), new NetHttpTransport(), f.clock)) {
      URI url = auth.authorizationUrl();
      assertThat(url.getHost()).isEqualTo("accounts.google.com");
      assertThat(url.getQuery())
          .contains("access_type=offline")
          .contains("prompt=consent")
          .contains("scope=https://mail.google.com/")
          .contains("login_hint=bob@gmail.com");
    }
  }

  @Test
  void refusedClientRegistrationShouldFailTheCodeExchangeClearly() throws Exception {
    OAuthProvider wrong =
        new OAuthProvider(
            "test",
            f.server.authorizationEndpoint(),
            f.server.tokenEndpoint(),
            Optional.empty(),
            Optional.empty(),
            java.util.List.of("mail"),
            "someone-else",
            Optional.empty(),
            java.util.Map.of());
    OAuthSettings settings =
        new OAuthSettings(
            java.util.Map.of("test", wrong),
            f.settings.accounts(),
            f.settings.storeFile(),
            Optional.empty(),
            Duration.ofMinutes(5),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5));
    try (CodeAuthorization auth =
        CodeAuthorization.start(
            settings, OAuthFixture.ACCOUNT, f.store(), new NetHttpTransport(), f.clock)) {
      URI forged = auth.redirectUri().resolve("/?code=x&state=" + state(auth));
      assertThatThrownBy(() -> auth.completeWith(forged))
          .isInstanceOf(OAuthException.class)
          .hasMessageContaining("the token endpoint refused the code: HTTP 401");
    }
  }

  private static String state(CodeAuthorization auth) {
    String query = auth.authorizationUrl().getQuery();
    int at = query.indexOf("state=") + "state=".length();
    int end = query.indexOf('&', at);
    return query.substring(at, end < 0 ? query.length() : end);
  }

  private static HttpClient browser() {
    return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
  }

  private static HttpClient noRedirects() {
    return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  }

  private static HttpRequest get(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build();
  }
}
