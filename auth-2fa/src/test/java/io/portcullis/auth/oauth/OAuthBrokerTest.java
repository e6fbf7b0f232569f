package io.portcullis.auth.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.auth.oauth.testing.TestAuthorizationServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OAuthBrokerTest {
  @TempDir Path dir;
  private OAuthFixture f;
  private OAuthBroker broker;

  @BeforeEach
  void start() throws Exception {
    f = new OAuthFixture(dir);
    broker = f.broker();
  }

  @AfterEach
  void stop() {
    broker.close();
    f.close();
  }

  @Test
  void accessTokenShouldComeFromTheStoreWhileItIsValidBeyondTheMargin() {
    TestAuthorizationServer.Issued issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    AccessToken token = broker.accessToken(OAuthFixture.ACCOUNT).join();
    assertThat(token.value()).isEqualTo(issued.accessToken());
    assertThat(token.loginUser()).isEqualTo("alice@example.com");
    assertThat(f.server.tokenRequests()).isZero();
  }

  @Test
  void expiryShouldRefreshOnceAndPersistTheRotatedRefreshTokenBeforeUse() {
    TestAuthorizationServer.Issued first = f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    assertThat(broker.accessToken(OAuthFixture.ACCOUNT).join().value())
        .isEqualTo(first.accessToken());

    f.clock.advance(Duration.ofMinutes(56)); // within the 5-minute margin
    AccessToken refreshed = broker.accessToken(OAuthFixture.ACCOUNT).join();

    assertThat(f.server.refreshRequests()).isEqualTo(1);
    TestAuthorizationServer.Issued rotated = f.server.issued().getLast();
    assertThat(refreshed.value()).isEqualTo(rotated.accessToken());
    // The old refresh token is dead at the server; the store must hold the new one.
    assertThat(f.server.liveRefreshTokens()).containsExactly(rotated.refreshToken());
    assertThat(f.store().get(OAuthFixture.ACCOUNT).orElseThrow().refreshToken())
        .contains(rotated.refreshToken());
    // A fresh broker (a restart) uses the stored token without asking the server.
    try (OAuthBroker restarted = f.broker()) {
      assertThat(restarted.accessToken(OAuthFixture.ACCOUNT).join().value())
          .isEqualTo(rotated.accessToken());
    }
    assertThat(f.server.refreshRequests()).isEqualTo(1);
  }

  @Test
  void hundredConcurrentRequestsDuringExpiryShouldCauseExactlyOneRefresh() {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ofMinutes(1));
    f.server.hold();
    List<CompletableFuture<AccessToken>> logins = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      logins.add(broker.accessToken(OAuthFixture.ACCOUNT));
    }
    Awaitility.await().until(() -> f.server.waiting() == 1);
    f.server.release();
    CompletableFuture.allOf(logins.toArray(CompletableFuture[]::new)).join();

    assertThat(f.server.refreshRequests()).isEqualTo(1);
    assertThat(logins.stream().map(l -> l.join().value()).distinct()).hasSize(1);
  }

  @Test
  void revokedGrantShouldFailAsGrantInvalidAndKeepTheStoredRefreshToken() {
    TestAuthorizationServer.Issued issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    f.server.revokeAll();
    assertThatThrownBy(() -> broker.accessToken(OAuthFixture.ACCOUNT).join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOfSatisfying(
            OAuthException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(OAuthException.Kind.GRANT_INVALID);
              assertThat(e.kind().temporary()).isFalse();
            });
    assertThat(f.store().get(OAuthFixture.ACCOUNT).orElseThrow().refreshToken())
        .contains(issued.refreshToken());
  }

  @Test
  void tokenEndpointServerErrorShouldBeTemporaryAndRetriedOnTheNextLogin() {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    f.server.failTokenRequests(503);
    assertThat(kindOf(broker.accessToken(OAuthFixture.ACCOUNT)))
        .isEqualTo(OAuthException.Kind.UNAVAILABLE);
    f.server.failTokenRequests(0);
    assertThat(broker.accessToken(OAuthFixture.ACCOUNT).join().value()).startsWith("at-");
  }

  @Test
  void tokenEndpointThatHangsShouldFailAsTemporaryAfterTheRefreshTimeout() throws Exception {
    try (OAuthFixture slow =
            new OAuthFixture(
                java.nio.file.Files.createDirectories(dir.resolve("slow")),
                Duration.ofMillis(300));
        OAuthBroker b = slow.broker()) {
      slow.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
      slow.server.hold();
      assertThat(kindOf(b.accessToken(OAuthFixture.ACCOUNT)))
          .isEqualTo(OAuthException.Kind.UNAVAILABLE);
    }
  }

  @Test
  void tokenEndpointUnreachableShouldBeTemporary() {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    f.server.close();
    assertThat(kindOf(broker.accessToken(OAuthFixture.ACCOUNT)))
        .isEqualTo(OAuthException.Kind.UNAVAILABLE);
  }

  @Test
  void accountNeverAuthorisedShouldFailAsNotAuthorized() {
    assertThat(kindOf(broker.accessToken(OAuthFixture.ACCOUNT)))
        .isEqualTo(OAuthException.Kind.NOT_AUTHORIZED);
    assertThat(kindOf(broker.accessToken("nobody"))).isEqualTo(OAuthException.Kind.UNKNOWN_ACCOUNT);
  }

  @Test
  void sharedMailboxShouldLogInAsTheMailboxWithTheOwnersToken() {
    TestAuthorizationServer.Issued issued = f.authorised(OAuthFixture.SHARED, Duration.ofHours(1));
    AccessToken token = broker.accessToken(OAuthFixture.SHARED).join();
    assertThat(token.loginUser()).isEqualTo("shared@example.com");
    assertThat(token.value()).isEqualTo(issued.accessToken());
  }

  @Test
  void storeWriteFailureDuringRefreshShouldNotHandOutTheUnsavedToken() throws Exception {
    TestAuthorizationServer.Issued issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    EncryptedTokenStore failing =
        new EncryptedTokenStore(
            f.settings.storeFile(),
            f.box,
            (file, content) -> {
              throw new java.io.IOException("disk full");
            });
    try (OAuthBroker b = f.broker(failing)) {
      assertThat(kindOf(b.accessToken(OAuthFixture.ACCOUNT)))
          .isEqualTo(OAuthException.Kind.UNAVAILABLE);
    }
    assertThat(f.store().get(OAuthFixture.ACCOUNT).orElseThrow().refreshToken())
        .contains(issued.refreshToken());
  }

  @Test
  void rejectedTokenShouldBeForgottenSoTheNextLoginRefreshes() {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    AccessToken first = broker.accessToken(OAuthFixture.ACCOUNT).join();
    broker.rejected(first);
    AccessToken second = broker.accessToken(OAuthFixture.ACCOUNT).join();
    assertThat(second.value()).isNotEqualTo(first.value());
    assertThat(f.server.refreshRequests()).isEqualTo(1);
  }

  @Test
  void revokeShouldAskTheProviderAndRemoveTheAccount() {
    TestAuthorizationServer.Issued issued = f.authorised(OAuthFixture.ACCOUNT, Duration.ofHours(1));
    assertThat(broker.revoke(OAuthFixture.ACCOUNT)).isTrue();
    assertThat(f.server.liveRefreshTokens()).doesNotContain(issued.refreshToken());
    assertThat(f.store().status(OAuthFixture.ACCOUNT)).isEmpty();
    assertThat(kindOf(broker.accessToken(OAuthFixture.ACCOUNT)))
        .isEqualTo(OAuthException.Kind.NOT_AUTHORIZED);
  }

  @Test
  void refreshTokenLifetimeReportedByTheProviderShouldBeStored() {
    f.authorised(OAuthFixture.ACCOUNT, Duration.ZERO);
    f.server.refreshTokenLifetime(86_400L);
    broker.accessToken(OAuthFixture.ACCOUNT).join();
    assertThat(f.store().status(OAuthFixture.ACCOUNT).orElseThrow().refreshTokenExpiresAt())
        .contains(f.clock.instant().plusSeconds(86_400));
  }

  private static OAuthException.Kind kindOf(CompletableFuture<AccessToken> future) {
    try {
      future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof OAuthException o) {
        return o.kind();
      }
      throw e;
    }
    throw new AssertionError("expected a failure");
  }
}
