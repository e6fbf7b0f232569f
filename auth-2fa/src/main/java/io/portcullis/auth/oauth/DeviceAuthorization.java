package io.portcullis.auth.oauth;

import com.google.api.client.auth.oauth2.TokenRequest;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpResponse;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.UrlEncodedContent;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.GenericJson;
import com.google.api.client.json.JsonObjectParser;
import com.google.api.client.util.Sleeper;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * First authorisation of an account with the device authorization grant (RFC 8628), for servers
 * without a browser: the user opens a short address on any device and types a code while this side
 * polls the token endpoint. The token requests use the Google OAuth client's {@link TokenRequest};
 * the device request is a plain form POST on the same transport. Not thread-safe.
 */
public final class DeviceAuthorization {
  /** RFC 8628 §3.5: the default polling interval, and the step added on {@code slow_down}. */
  private static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  private static final String GRANT_TYPE = "urn:ietf:params:oauth:grant-type:device_code";

  /**
   * What to show the user (RFC 8628 §3.3).
   *
   * @param userCode the code to type
   * @param verificationUri where to type it
   * @param verificationUriComplete an address that includes the code, if the provider sent one
   * @param expiresAt when the code stops working
   */
  public record Prompt(
      String userCode,
      URI verificationUri,
      Optional<URI> verificationUriComplete,
      Instant expiresAt) {}

  private final OAuthAccount account;
  private final OAuthProvider provider;
  private final EncryptedTokenStore store;
  private final ProviderHttp http;
  private final Sleeper sleeper;
  private String deviceCode;
  private Duration interval = DEFAULT_INTERVAL;
  private Instant expiresAt;

  DeviceAuthorization(
      OAuthSettings settings,
      String account,
      EncryptedTokenStore store,
      HttpTransport transport,
      Clock clock,
      Sleeper sleeper) {
    this.account = Authorizations.account(settings, account);
    this.provider = settings.provider(this.account);
    this.store = store;
    this.http = new ProviderHttp(transport, settings.httpTimeout(), clock);
    this.sleeper = sleeper;
    if (provider.deviceEndpoint().isEmpty()) {
      throw new OAuthException(
          OAuthException.Kind.CLIENT_REJECTED,
          account,
          "provider " + provider.name() + " has no device-endpoint; use the browser flow");
    }
  }

  /** A device authorisation of {@code account} over the real network and clock. */
  public static DeviceAuthorization of(
      OAuthSettings settings, String account, EncryptedTokenStore store) {
    return new DeviceAuthorization(
        settings, account, store, new NetHttpTransport(), Clock.systemUTC(), Sleeper.DEFAULT);
  }

  /** Asks the provider for a user code (RFC 8628 §3.1). */
  public Prompt start() throws IOException {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("client_id", provider.clientId());
    form.put("scope", String.join(" ", provider.scopes()));
    provider.clientSecret().ifPresent(s -> form.put("client_secret", s.reveal()));
    HttpResponse response =
        http.transport()
            .createRequestFactory(http.timeouts())
            .buildPostRequest(
                new GenericUrl(provider.deviceEndpoint().get()), new UrlEncodedContent(form))
            .setParser(new JsonObjectParser(ProviderHttp.JSON))
            .setThrowExceptionOnExecuteError(false)
            .execute();
    GenericJson json;
    try {
      if (!response.isSuccessStatusCode()) {
        throw new OAuthException(
            OAuthException.Kind.CLIENT_REJECTED,
            account.name(),
            "the device endpoint refused the request (HTTP " + response.getStatusCode() + ")");
      }
      json = response.parseAs(GenericJson.class);
    } finally {
      response.disconnect();
    }
    deviceCode = string(json, "device_code");
    String userCode = string(json, "user_code");
    // Microsoft's v2.0 endpoint says verification_uri; some older ones verification_url.
    String uri =
        json.containsKey("verification_uri")
            ? string(json, "verification_uri")
            : string(json, "verification_url");
    long expiresIn = number(json, "expires_in").orElse(900L);
    number(json, "interval").ifPresent(s -> interval = Duration.ofSeconds(Math.max(0, s)));
    expiresAt = http.clock().instant().plusSeconds(expiresIn);
    Optional<URI> complete =
        Optional.ofNullable(json.get("verification_uri_complete"))
            .map(String::valueOf)
            .map(URI::create);
    return new Prompt(userCode, URI.create(uri), complete, expiresAt);
  }

  /**
   * Polls the token endpoint at the provider's interval until the user consents, refuses, or the
   * code expires (RFC 8628 §3.4, §3.5), then stores the tokens.
   *
   * @throws OAuthException on refusal or expiry
   */
  public TokenStatus await() throws IOException, InterruptedException {
    if (deviceCode == null) {
      throw new IllegalStateException("start() first");
    }
    while (true) {
      if (!http.clock().instant().isBefore(expiresAt)) {
        throw failure("the code expired before it was entered");
      }
      sleeper.sleep(interval.toMillis());
      TokenRequest request =
          new TokenRequest(
                  http.transport(),
                  ProviderHttp.JSON,
                  new GenericUrl(provider.tokenEndpoint()),
                  GRANT_TYPE)
              .setClientAuthentication(ProviderHttp.clientAuthentication(provider))
              .setRequestInitializer(http.timeouts());
      request.set("device_code", deviceCode);
      try {
        TokenResponse response = request.execute();
        return Authorizations.store(store, http, http.clock(), account, response);
      } catch (TokenResponseException e) {
        String error = e.getDetails() == null ? "" : String.valueOf(e.getDetails().getError());
        switch (error) {
          case "authorization_pending" -> {}
          case "slow_down" -> interval = interval.plus(DEFAULT_INTERVAL);
          case "access_denied" -> throw failure("the user refused");
          case "expired_token" -> throw failure("the code expired before it was entered");
          default ->
              throw failure(
                  "the token endpoint refused: "
                      + (error.matches("[a-z_]{1,40}") ? error : "HTTP " + e.getStatusCode()));
        }
      }
    }
  }

  private OAuthException failure(String message) {
    return new OAuthException(
        OAuthException.Kind.GRANT_INVALID, account.name(), "authorisation failed: " + message);
  }

  private String string(GenericJson json, String key) {
    Object v = json.get(key);
    if (v == null) {
      throw new OAuthException(
          OAuthException.Kind.CLIENT_REJECTED,
          account.name(),
          "the device endpoint's answer lacks " + key);
    }
    return String.valueOf(v);
  }

  private static Optional<Long> number(GenericJson json, String key) {
    Object v = json.get(key);
    if (v instanceof Number n) {
      return Optional.of(n.longValue());
    }
    if (v instanceof String s && s.matches("\\d{1,9}")) {
      return Optional.of(Long.parseLong(s));
    }
    return Optional.empty();
  }
}
