package io.portcullis.auth.oauth;

import com.google.api.client.auth.oauth2.AuthorizationCodeFlow;
import com.google.api.client.auth.oauth2.AuthorizationCodeRequestUrl;
import com.google.api.client.auth.oauth2.BearerToken;
import com.google.api.client.auth.oauth2.TokenResponse;
import com.google.api.client.auth.oauth2.TokenResponseException;
import com.google.api.client.http.GenericUrl;
import com.google.api.client.http.HttpTransport;
import com.google.api.client.http.javanet.NetHttpTransport;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * First authorisation of an account with the authorization code grant (RFC 6749 §4.1), PKCE S256
 * (RFC 7636) and a random {@code state}, redirecting to a loopback listener on 127.0.0.1 and a free
 * port (RFC 8252 §7.3). When the browser runs on another machine the redirect cannot reach the
 * listener; the user then pastes the address the browser ended on, and it is checked the same way.
 * Uses the Google OAuth client's {@link AuthorizationCodeFlow} with the encrypted store as its data
 * store. One instance per authorisation; not thread-safe.
 */
public final class CodeAuthorization implements AutoCloseable {
  private static final String PAGE_OK =
      "<!doctype html><title>Portcullis</title><p>Authorisation received. You can close this"
          + " window.</p>";
  private static final String PAGE_BAD =
      "<!doctype html><title>Portcullis</title><p>This is not the answer Portcullis waits for.</p>";

  private final OAuthAccount account;
  private final OAuthProvider provider;
  private final EncryptedTokenStore store;
  private final ProviderHttp http;
  private final AuthorizationCodeFlow flow;
  private final String state;
  private final HttpServer server;
  private final URI redirectUri;
  private final CompletableFuture<Map<String, String>> answer = new CompletableFuture<>();

  private CodeAuthorization(
      OAuthSettings settings,
      String accountName,
      EncryptedTokenStore store,
      HttpTransport transport,
      Clock clock)
      throws IOException {
    this.account = Authorizations.account(settings, accountName);
    this.provider = settings.provider(account);
    this.store = store;
    this.http = new ProviderHttp(transport, settings.httpTimeout(), clock);
    this.flow =
        new AuthorizationCodeFlow.Builder(
                BearerToken.authorizationHeaderAccessMethod(),
                transport,
                ProviderHttp.JSON,
                new GenericUrl(provider.tokenEndpoint()),
                ProviderHttp.clientAuthentication(provider),
                provider.clientId(),
                provider.authorizationEndpoint().toString())
            .setScopes(provider.scopes())
            .setDataStoreFactory(new EncryptedDataStoreFactory(store))
            .setRequestInitializer(http.timeouts())
            .setClock(http.googleClock())
            .enablePKCE()
            .build();
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);
    this.state = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    // RFC 8252 §8.3: the loopback IP literal, not "localhost", and any free port.
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.redirectUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    server.createContext("/", this::onRedirect);
    server.setExecutor(null);
    server.start();
  }

  /**
   * Starts an authorisation of {@code account}: the loopback listener is open when this returns.
   *
   * @throws OAuthException if the account is not configured
   */
  public static CodeAuthorization start(
      OAuthSettings settings, String account, EncryptedTokenStore store) throws IOException {
    return start(settings, account, store, new NetHttpTransport(), Clock.systemUTC());
  }

  static CodeAuthorization start(
      OAuthSettings settings,
      String account,
      EncryptedTokenStore store,
      HttpTransport transport,
      Clock clock)
      throws IOException {
    return new CodeAuthorization(settings, account, store, transport, clock);
  }

  /** Where the user's browser goes to sign in and consent. */
  public URI authorizationUrl() {
    AuthorizationCodeRequestUrl url =
        flow.newAuthorizationUrl().setRedirectUri(redirectUri.toString()).setState(state);
    url.set("login_hint", account.owner());
    provider.authorizationParameters().forEach(url::set);
    return URI.create(url.build());
  }

  /** The loopback redirect URI this authorisation listens on. */
  public URI redirectUri() {
    return redirectUri;
  }

  /**
   * Waits for the provider's redirect — on the loopback listener, or as an address the user pastes
   * into {@code pasted} — checks {@code state}, exchanges the code (with the PKCE verifier) and
   * stores the tokens.
   *
   * @param notices told when a pasted line is not this authorisation's answer
   * @throws OAuthException if the user refused, the state does not match, the code is refused, or
   *     nothing arrived within {@code timeout}
   */
  public TokenStatus complete(
      Optional<BufferedReader> pasted, Consumer<String> notices, Duration timeout)
      throws IOException, InterruptedException {
    pasted.ifPresent(reader -> readPasted(reader, notices));
    Map<String, String> parameters;
    try {
      parameters = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw failure("no answer from the browser within " + timeout);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof OAuthException o ? o : failure("the answer was not usable");
    }
    return exchange(parameters);
  }

  /** Completes with an address the browser was redirected to (for callers that read it). */
  public TokenStatus completeWith(URI redirected) throws IOException {
    Map<String, String> parameters = query(redirected.getRawQuery());
    if (!stateMatches(parameters)) {
      throw failure("the state in the address does not match this authorisation (CSRF check)");
    }
    return exchange(parameters);
  }

  private TokenStatus exchange(Map<String, String> parameters) throws IOException {
    if (parameters.containsKey("error")) {
      String error = parameters.get("error");
      throw failure("the provider refused: " + (error.matches("[a-z_]{1,40}") ? error : "error"));
    }
    String code = parameters.get("code");
    if (code == null || code.isEmpty()) {
      throw failure("the answer carries no authorization code");
    }
    TokenResponse response;
    try {
      response = flow.newTokenRequest(code).setRedirectUri(redirectUri.toString()).execute();
    } catch (TokenResponseException e) {
      String error =
          e.getDetails() == null ? "HTTP " + e.getStatusCode() : e.getDetails().getError();
      throw failure("the token endpoint refused the code: " + error);
    }
    // The library's own bookkeeping first, then the broker's fields (expiry, scope).
    flow.createAndStoreCredential(response, account.name());
    return Authorizations.store(store, http, http.clock(), account, response);
  }

  private void readPasted(BufferedReader reader, Consumer<String> notices) {
    Thread.ofVirtual()
        .name("oauth-paste")
        .start(
            () -> {
              try {
                String line;
                while (!answer.isDone() && (line = reader.readLine()) != null) {
                  line = line.strip();
                  if (line.isEmpty()) {
                    continue;
                  }
                  try {
                    Map<String, String> parameters = query(URI.create(line).getRawQuery());
                    if (stateMatches(parameters)) {
                      answer.complete(parameters);
                    } else {
                      notices.accept(
                          "That address does not belong to this authorisation (state mismatch);"
                              + " paste the address the browser shows after you consented.");
                    }
                  } catch (IllegalArgumentException e) {
                    notices.accept("That is not an address; paste the whole address.");
                  }
                }
              } catch (IOException e) {
                // No terminal: the loopback redirect is the only way then.
              }
            });
  }

  private void onRedirect(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> parameters = query(exchange.getRequestURI().getRawQuery());
      boolean ours = exchange.getRequestMethod().equals("GET") && stateMatches(parameters);
      byte[] page = (ours ? PAGE_OK : PAGE_BAD).getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.sendResponseHeaders(ours ? 200 : 400, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
      if (ours) {
        answer.complete(parameters);
      }
    }
  }

  /** Constant-time comparison of the state (RFC 6749 §10.12). */
  private boolean stateMatches(Map<String, String> parameters) {
    String received = parameters.get("state");
    return received != null
        && MessageDigest.isEqual(
            received.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8));
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.putIfAbsent(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private OAuthException failure(String message) {
    return new OAuthException(
        OAuthException.Kind.GRANT_INVALID, account.name(), "authorisation failed: " + message);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
