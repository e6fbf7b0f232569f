package io.portcullis.auth.oauth;

import io.portcullis.auth.TestClock;
import io.portcullis.auth.oauth.testing.TestAuthorizationServer;
import io.portcullis.auth.secret.AtomicFiles;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A test authorization server, settings for one account on it, a key and a store. */
final class OAuthFixture implements AutoCloseable {
  static final String ACCOUNT = "m365-alice";
  static final String SHARED = "m365-shared";

  final TestAuthorizationServer server;
  final OAuthSettings settings;
  final SecretBox box;
  final TestClock clock = new TestClock(Instant.parse("2026-11-24T12:00:00Z"));
  final Path dir;

  OAuthFixture(Path dir) throws Exception {
    this(dir, Duration.ofSeconds(5));
  }

  OAuthFixture(Path dir, Duration refreshTimeout) throws Exception {
    this.dir = dir;
    this.server = TestAuthorizationServer.start();
    this.box = new SecretBox(MasterKey.generate(dir.resolve("master.key"), new SecureRandom()));
    OAuthProvider provider =
        new OAuthProvider(
            "test",
            server.authorizationEndpoint(),
            server.tokenEndpoint(),
            Optional.of(server.deviceEndpoint()),
            Optional.of(server.revocationEndpoint()),
            List.of("mail", "offline_access"),
            TestAuthorizationServer.CLIENT_ID,
            Optional.empty(),
            Map.of());
    this.settings =
        new OAuthSettings(
            Map.of("test", provider),
            Map.of(
                ACCOUNT,
                new OAuthAccount(ACCOUNT, "test", "alice@example.com", null),
                SHARED,
                new OAuthAccount(SHARED, "test", "shared@example.com", "alice@example.com")),
            dir.resolve("tokens.json"),
            Optional.empty(),
            Duration.ofMinutes(5),
            Duration.ofSeconds(5),
            refreshTimeout);
  }

  EncryptedTokenStore store() {
    return new EncryptedTokenStore(settings.storeFile(), box, AtomicFiles::write);
  }

  OAuthBroker broker() {
    return broker(store());
  }

  OAuthBroker broker(EncryptedTokenStore store) {
    return new OAuthBroker(
        settings, store, new com.google.api.client.http.javanet.NetHttpTransport(), clock);
  }

  /** Stores a grant as a past authorisation would have, with an access token expiring soon. */
  TestAuthorizationServer.Issued authorised(String account, Duration accessTokenLeft) {
    TestAuthorizationServer.Issued issued = server.grant("alice@example.com");
    store()
        .update(
            account,
            current ->
                Optional.of(
                    StoredToken.EMPTY
                        .withTokens(
                            Optional.of(issued.accessToken()),
                            Optional.of(issued.refreshToken()),
                            Optional.of(clock.instant().plus(accessTokenLeft)))
                        .withAuthorizedAt(clock.instant(), "mail")));
    return issued;
  }

  @Override
  public void close() {
    server.close();
  }
}
