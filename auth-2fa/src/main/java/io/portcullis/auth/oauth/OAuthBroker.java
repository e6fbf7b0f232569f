package io.portcullis.auth.oauth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import com.google.api.client.auth.oauth2.BearerToken;
import com.google.api.client.auth.oauth2.Credential;
import com.google.api.client.auth.oauth2.CredentialRefreshListener;
import com.google.api.client.auth.oauth2.TokenErrorResponse;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.UrlEncodedContent;
import com.google.api.client.http.javanet.NetHttpTransport;
import io.portcullis.auth.secret.SecretBox;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out access tokens for upstream logins. A token is cached (Caffeine) until {@code
 * refresh-margin} before it expires; then one refresh per account runs on a virtual thread, however
 * many logins ask at once (single flight), with a timeout. A rotated refresh token is written to
 * the store before the new access token is used, and if it cannot be written the token is not used.
 * An account's refreshes are serialised, also across a timed-out one, so a rotated token is never
 * refreshed twice. Thread-safe.
 */
public final class OAuthBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OAuthBroker.class);

  private final OAuthSettings settings;
  private final EncryptedTokenStore store;
  private final ProviderHttp http;
  private final Clock clock;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final AsyncCache<String, Outcome> cache;
  private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

  /**
   * Per account, the access token an upstream refused: never handed out again, even from the store.
   */
  private final Map<String, String> refused = new ConcurrentHashMap<>();

  private final AtomicLong refreshes = new AtomicLong();
  private final Map<OAuthException.Kind, AtomicLong> failures =
      new EnumMap<>(OAuthException.Kind.class);

  OAuthBroker(
      OAuthSettings settings, EncryptedTokenStore store, HttpTransport transport, Clock clock) {
    this.settings = settings;
    this.store = store;
    this.clock = clock;
    this.http = new ProviderHttp(transport, settings.httpTimeout(), clock);
    for (OAuthException.Kind kind : OAuthException.Kind.values()) {
      failures.put(kind, new AtomicLong());
    }
    Ticker ticker =
        () -> {
          Instant now = clock.instant();
          return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    this.cache =
        Caffeine.newBuilder()
            .ticker(ticker)
            .maximumSize(100_000)
            .expireAfter(new UntilMargin())
            .buildAsync();
  }

  /**
   * A broker over the store file named in {@code settings}, sealed with {@code box}.
   *
   * @throws TokenStoreException if the store exists and is refused (tampered, other key)
   */
  public static OAuthBroker create(OAuthSettings settings, SecretBox box, Clock clock) {
    return new OAuthBroker(
        settings,
        EncryptedTokenStore.open(settings.storeFile(), box),
        new NetHttpTransport(),
        clock);
  }

  public OAuthSettings settings() {
    return settings;
  }

  public EncryptedTokenStore store() {
    return store;
  }

  /** How many refresh requests this broker has sent (metrics, tests). */
  public long refreshCount() {
    return refreshes.get();
  }

  /** How many token requests of logins failed with {@code kind} (metrics). */
  public long failureCount(OAuthException.Kind kind) {
    return failures.get(kind).get();
  }

  /**
   * Seconds until {@code account}'s refresh token stops working, where the provider said (negative
   * once past); empty when it did not say or nothing is stored.
   */
  public Optional<Long> refreshTokenSecondsLeft(String account) {
    try {
      return store
          .status(account)
          .flatMap(TokenStatus::refreshTokenExpiresAt)
          .map(at -> Duration.between(clock.instant(), at).toSeconds());
    } catch (TokenStoreException e) {
      // A refused store is reported where tokens are asked for; a metric scrape just has no value.
      return Optional.empty();
    }
  }

  /**
   * An access token for {@code account}, from the cache or refreshed. Never blocks the caller; the
   * future fails with an {@link OAuthException} that says why.
   */
  public CompletableFuture<AccessToken> accessToken(String account) {
    Optional<OAuthAccount> configured = settings.account(account);
    if (configured.isEmpty()) {
      return CompletableFuture.failedFuture(
          new OAuthException(
              OAuthException.Kind.UNKNOWN_ACCOUNT,
              account,
              "oauth account " + account + " is not configured"));
    }
    try {
      return cache
          .get(
              account,
              (name, unused) ->
                  CompletableFuture.supplyAsync(() -> load(configured.get()), executor)
                      .orTimeout(settings.refreshTimeout().toMillis(), TimeUnit.MILLISECONDS)
                      .handle((token, error) -> outcome(account, token, error)))
          .thenApply(Outcome::token);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new OAuthException(OAuthException.Kind.UNAVAILABLE, account, "broker is closed"));
    }
  }

  /**
   * A load's result. Failures are cached too, for no time at all: the logins waiting on the same
   * load share it, and the next login tries again.
   */
  private record Outcome(AccessToken value, OAuthException failure) {
    AccessToken token() {
      if (failure != null) {
        throw failure;
      }
      return value;
    }
  }

  /**
   * The upstream refused {@code token}: forget it, so the next login refreshes instead of sending
   * it again (the provider may have revoked it before it expired).
   */
  public void rejected(AccessToken token) {
    CompletableFuture<Outcome> cached = cache.getIfPresent(token.account());
    if (cached == null || !cached.isDone() || cached.isCompletedExceptionally()) {
      return;
    }
    AccessToken cachedToken = cached.join().value();
    if (cachedToken == null || !cachedToken.value().equals(token.value())) {
      return;
    }
    refused.put(token.account(), token.value());
    cache.synchronous().invalidate(token.account());
    try {
      // Called on an event loop: the store's file I/O runs elsewhere.
      executor.execute(() -> forgetAccessToken(token));
    } catch (RejectedExecutionException e) {
      // Closing: the next start reads the store, and the upstream refuses the token again.
    }
  }

  private void forgetAccessToken(AccessToken token) {
    try {
      store.update(
          token.account(),
          current ->
              current.map(
                  t ->
                      t.accessToken().equals(Optional.of(token.value()))
                          ? t.withTokens(Optional.empty(), t.refreshToken(), Optional.empty())
                          : t));
    } catch (TokenStoreException e) {
      LOG.warn("oauth account {}: {}", token.account(), e.getMessage());
    }
  }

  /**
   * Forgets an account's tokens: asks the provider to revoke the refresh token (RFC 7009) where it
   * offers that, then removes them from the store.
   *
   * @return whether the provider confirmed the revocation
   */
  public boolean revoke(String account) {
    Optional<StoredToken> stored = store.get(account);
    boolean confirmed = false;
    Optional<OAuthAccount> configured = settings.account(account);
    if (stored.isPresent() && configured.isPresent()) {
      OAuthProvider provider = settings.provider(configured.get());
      Optional<String> token = stored.get().refreshToken().or(stored.get()::accessToken);
      if (provider.revocationEndpoint().isPresent() && token.isPresent()) {
        confirmed = revokeAt(provider, token.get());
      }
    }
    cache.synchronous().invalidate(account);
    store.remove(account);
    return confirmed;
  }

  private boolean revokeAt(OAuthProvider provider, String token) {
    try {
      var content = new UrlEncodedContent(Map.of("token", token, "client_id", provider.clientId()));
      var response =
          http.transport()
              .createRequestFactory(http.timeouts())
              .buildPostRequest(new GenericUrl(provider.revocationEndpoint().get()), content)
              .setThrowExceptionOnExecuteError(false)
              .execute();
      try {
        return response.isSuccessStatusCode();
      } finally {
        response.disconnect();
      }
    } catch (IOException e) {
      LOG.warn("revocation at {} failed: {}", provider.name(), e.getClass().getSimpleName());
      return false;
    }
  }

  private Outcome outcome(String account, AccessToken token, Throwable error) {
    if (error == null) {
      return new Outcome(token, null);
    }
    OAuthException failure = failure(account, error);
    failures.get(failure.kind()).incrementAndGet();
    return new Outcome(null, failure);
  }

  private OAuthException failure(String account, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof OAuthException o) {
      return o;
    }
    if (cause instanceof TimeoutException) {
      LOG.warn(
          "oauth account {}: no token within {} (token endpoint slow or unreachable)",
          account,
          settings.refreshTimeout());
      return new OAuthException(
          OAuthException.Kind.UNAVAILABLE, account, "token request timed out", cause);
    }
    return new OAuthException(
        OAuthException.Kind.UNAVAILABLE,
        account,
        "token request failed: " + cause.getClass().getSimpleName(),
        cause);
  }

  /** Runs on a virtual thread: the stored token if still good, else one refresh. */
  private AccessToken load(OAuthAccount account) {
    ReentrantLock lock = locks.computeIfAbsent(account.name(), k -> new ReentrantLock());
    lock.lock();
    try {
      StoredToken stored;
      try {
        stored = store.get(account.name()).orElse(null);
      } catch (TokenStoreException e) {
        LOG.error("oauth account {}: {}", account.name(), e.getMessage());
        throw new OAuthException(
            OAuthException.Kind.STORE_UNREADABLE, account.name(), e.getMessage(), e);
      }
      if (stored == null || stored.refreshToken().isEmpty() && stored.accessToken().isEmpty()) {
        LOG.warn(
            "oauth account {} has no stored token; authorise it with `portcullis oauth authorize"
                + " {}`",
            account.name(),
            account.name());
        throw new OAuthException(
            OAuthException.Kind.NOT_AUTHORIZED, account.name(), "account not authorised");
      }
      Instant now = clock.instant();
      if (stored.accessToken().isPresent()
          && !stored.accessToken().get().equals(refused.get(account.name()))
          && stored.accessTokenExpiresAt().isPresent()
          && stored.accessTokenExpiresAt().get().minus(settings.refreshMargin()).isAfter(now)) {
        // Still good (obtained by another node, the CLI, or before a restart).
        return new AccessToken(
            account.name(),
            account.loginUser(),
            stored.accessToken().get(),
            stored.accessTokenExpiresAt().get());
      }
      if (stored.refreshToken().isEmpty()) {
        throw new OAuthException(
            OAuthException.Kind.GRANT_INVALID,
            account.name(),
            "access token expired and no refresh token is stored");
      }
      return refresh(account, stored);
    } finally {
      lock.unlock();
    }
  }

  private AccessToken refresh(OAuthAccount account, StoredToken stored) {
    OAuthProvider provider = settings.provider(account);
    Credential credential =
        new Credential.Builder(BearerToken.authorizationHeaderAccessMethod())
            .setTransport(http.transport())
            .setJsonFactory(ProviderHttp.JSON)
            .setTokenServerEncodedUrl(provider.tokenEndpoint().toString())
            .setClientAuthentication(ProviderHttp.clientAuthentication(provider))
            .setRequestInitializer(http.timeouts())
            .setClock(http.googleClock())
            .addRefreshListener(new Persist(account.name()))
            .build()
            .setRefreshToken(stored.refreshToken().get());
    refreshes.incrementAndGet();
    boolean refreshed;
    try {
      refreshed = credential.refreshToken();
    } catch (TokenResponseException e) {
      throw refused(account, e);
    } catch (TokenStoreException e) {
      LOG.error(
          "oauth account {}: the refreshed token could not be stored, so it is not used: {}",
          account.name(),
          e.getMessage());
      throw new OAuthException(
          OAuthException.Kind.UNAVAILABLE, account.name(), "token store not writable", e);
    } catch (IOException e) {
      LOG.warn(
          "oauth account {}: token endpoint of {} unreachable: {}",
          account.name(),
          provider.name(),
          e.getClass().getSimpleName());
      throw new OAuthException(
          OAuthException.Kind.UNAVAILABLE, account.name(), "token endpoint unreachable", e);
    }
    if (!refreshed || credential.getAccessToken() == null) {
      LOG.warn(
          "oauth account {}: token endpoint of {} answered with a server error",
          account.name(),
          provider.name());
      throw new OAuthException(
          OAuthException.Kind.UNAVAILABLE, account.name(), "token endpoint failed");
    }
    Long expiry = credential.getExpirationTimeMilliseconds();
    Instant expiresAt =
        expiry == null
            // RFC 6749 §5.1: expires_in is optional; assume the common hour, minus the margin.
            ? clock.instant().plus(Duration.ofHours(1))
            : Instant.ofEpochMilli(expiry);
    warnIfRefreshTokenExpiresSoon(account);
    return new AccessToken(
        account.name(), account.loginUser(), credential.getAccessToken(), expiresAt);
  }

  private OAuthException refused(OAuthAccount account, TokenResponseException e) {
    TokenErrorResponse details = e.getDetails();
    String error = details == null || details.getError() == null ? "" : details.getError();
    if (error.equals("invalid_grant")) {
      LOG.warn(
          "oauth account {}: the provider refused the refresh token (invalid_grant: revoked,"
              + " expired or password changed); re-authorise with `portcullis oauth authorize {}`",
          account.name(),
          account.name());
      return new OAuthException(
          OAuthException.Kind.GRANT_INVALID, account.name(), "refresh token refused");
    }
    if (e.getStatusCode() >= 500 || error.isEmpty() && e.getStatusCode() == 429) {
      return new OAuthException(
          OAuthException.Kind.UNAVAILABLE, account.name(), "token endpoint failed");
    }
    // Only the RFC 6749 §5.2 code is logged: the description is the provider's free text.
    LOG.warn(
        "oauth account {}: the provider refused the token request ({}, HTTP {}); check the"
            + " client registration of provider {}",
        account.name(),
        error.matches("[a-z_]{1,40}") ? error : "?",
        e.getStatusCode(),
        account.provider());
    return new OAuthException(
        OAuthException.Kind.CLIENT_REJECTED, account.name(), "token request refused");
  }

  private void warnIfRefreshTokenExpiresSoon(OAuthAccount account) {
    store
        .get(account.name())
        .flatMap(StoredToken::refreshTokenExpiresAt)
        .filter(at -> at.isBefore(clock.instant().plus(ProviderHttp.REFRESH_TOKEN_WARNING)))
        .ifPresent(
            at ->
                LOG.warn(
                    "oauth account {}: the refresh token expires at {}; re-authorise with"
                        + " `portcullis oauth authorize {}` before then",
                    account.name(),
                    at,
                    account.name()));
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Writes every token response to the store before the library hands the token out. */
  private final class Persist implements CredentialRefreshListener {
    private final String account;

    Persist(String account) {
      this.account = account;
    }

    @Override
    public void onTokenResponse(Credential credential, TokenResponse response) {
      Instant now = clock.instant();
      Optional<Instant> refreshExpiry = http.refreshTokenExpiry(response);
      store.update(
          account,
          current -> {
            StoredToken base = current.orElse(StoredToken.EMPTY);
            StoredToken next =
                base.withTokens(
                        Optional.ofNullable(credential.getAccessToken()),
                        Optional.ofNullable(credential.getRefreshToken()).or(base::refreshToken),
                        Optional.ofNullable(credential.getExpirationTimeMilliseconds())
                            .map(Instant::ofEpochMilli))
                    .withRefreshedAt(now);
            return Optional.of(
                refreshExpiry.isPresent() ? next.withRefreshTokenExpiry(refreshExpiry) : next);
          });
    }

    @Override
    public void onTokenErrorResponse(Credential credential, TokenErrorResponse response) {
      // The stored refresh token stays: a temporary refusal must not destroy it.
    }
  }

  /** Cached until {@code refresh-margin} before the token's expiry; a failure not at all. */
  private final class UntilMargin implements Expiry<String, Outcome> {
    @Override
    public long expireAfterCreate(String key, Outcome outcome, long currentTime) {
      if (outcome.failure() != null) {
        return 0;
      }
      Duration left =
          Duration.between(
              clock.instant(), outcome.value().expiresAt().minus(settings.refreshMargin()));
      return left.isNegative() ? 0 : left.toNanos();
    }

    @Override
    public long expireAfterUpdate(
        String key, Outcome value, long currentTime, long currentDuration) {
      return expireAfterCreate(key, value, currentTime);
    }

    @Override
    public long expireAfterRead(String key, Outcome value, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
