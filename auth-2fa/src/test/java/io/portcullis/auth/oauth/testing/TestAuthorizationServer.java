package io.portcullis.auth.oauth.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A real OAuth2 authorization server on loopback HTTP for tests — the one stand-in for Google and
 * Microsoft, which cannot exist here. Authorization endpoint (code + PKCE S256, consent given at
 * once), token endpoint (authorization_code, refresh_token with strict rotation, device_code),
 * device endpoint (RFC 8628), revocation (RFC 7009). Tests can revoke grants, hold or fail token
 * requests, and count them. Thread-safe.
 */
public final class TestAuthorizationServer implements AutoCloseable {
  public static final String CLIENT_ID = "portcullis-test";

  /** A token the server handed out. */
  public record Issued(String accessToken, String refreshToken, String subject) {}

  private final HttpServer server;
  private final SecureRandom random = new SecureRandom();
  private final Map<String, Grant> codes = new ConcurrentHashMap<>();
  private final Map<String, String> refreshTokens = new ConcurrentHashMap<>();
  private final Map<String, Device> devices = new ConcurrentHashMap<>();
  private final AtomicInteger refreshRequests = new AtomicInteger();
  private final AtomicInteger tokenRequests = new AtomicInteger();
  private final AtomicInteger waiting = new AtomicInteger();
  private final List<Consumer<Issued>> listeners = new CopyOnWriteArrayList<>();
  private final List<Issued> issued = new CopyOnWriteArrayList<>();
  private volatile long accessTokenLifetime = 3600;
  private volatile Long refreshTokenLifetime;
  private volatile int failStatus;
  private volatile boolean rotate = true;
  private volatile boolean denyConsent;
  private volatile boolean slowDownOnce;
  private volatile CountDownLatch hold = new CountDownLatch(0);

  private record Grant(String redirectUri, String challenge, String subject, String scope) {}

  private static final class Device {
    final String userCode;
    final String subject;
    volatile boolean approved;
    volatile boolean denied;
    volatile boolean polledTooFast;

    Device(String userCode, String subject) {
      this.userCode = userCode;
      this.subject = subject;
    }
  }

  private TestAuthorizationServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/authorize", this::authorize);
    server.createContext("/token", this::token);
    server.createContext("/device", this::device);
    server.createContext("/revoke", this::revoke);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
  }

  public static TestAuthorizationServer start() throws IOException {
    return new TestAuthorizationServer();
  }

  public URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public URI authorizationEndpoint() {
    return base().resolve("/authorize");
  }

  public URI tokenEndpoint() {
    return base().resolve("/token");
  }

  public URI deviceEndpoint() {
    return base().resolve("/device");
  }

  public URI revocationEndpoint() {
    return base().resolve("/revoke");
  }

  /** Called with every token issued (e.g. to make it the upstream mailbox's password). */
  public void onIssue(Consumer<Issued> listener) {
    listeners.add(listener);
  }

  public List<Issued> issued() {
    return List.copyOf(issued);
  }

  /** Grants a refresh token for {@code subject} directly, as a past authorisation would have. */
  public Issued grant(String subject) {
    return issue(subject, "mail");
  }

  public int refreshRequests() {
    return refreshRequests.get();
  }

  public int tokenRequests() {
    return tokenRequests.get();
  }

  /** Token requests that are being held right now. */
  public int waiting() {
    return waiting.get();
  }

  public void accessTokenLifetime(long seconds) {
    accessTokenLifetime = seconds;
  }

  /** Adds {@code refresh_token_expires_in} to token responses (Microsoft does). */
  public void refreshTokenLifetime(Long seconds) {
    refreshTokenLifetime = seconds;
  }

  /** Whether a refresh returns a new refresh token and invalidates the old one (default). */
  public void rotate(boolean value) {
    rotate = value;
  }

  /** Answer every token request with this HTTP status (0: answer normally). */
  public void failTokenRequests(int status) {
    failStatus = status;
  }

  public void denyConsent(boolean value) {
    denyConsent = value;
  }

  /** The next device-code poll is answered {@code slow_down} (RFC 8628 §3.5). */
  public void slowDownOnce() {
    slowDownOnce = true;
  }

  /** Every refresh token issued so far stops working (the user revoked access). */
  public void revokeAll() {
    refreshTokens.clear();
  }

  /** Token requests wait until {@link #release()}. */
  public void hold() {
    hold = new CountDownLatch(1);
  }

  public void release() {
    hold.countDown();
  }

  /** The user typed {@code userCode} and consented (RFC 8628 §3.3). */
  public void approveDevice(String userCode) {
    devices.values().stream()
        .filter(d -> d.userCode.equals(userCode))
        .forEach(d -> d.approved = true);
  }

  public void denyDevice(String userCode) {
    devices.values().stream()
        .filter(d -> d.userCode.equals(userCode))
        .forEach(d -> d.denied = true);
  }

  private void authorize(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> q = parse(exchange.getRequestURI().getRawQuery());
      String redirect = q.getOrDefault("redirect_uri", "");
      URI redirectUri = URI.create(redirect);
      if (!CLIENT_ID.equals(q.get("client_id"))
          || !"http".equals(redirectUri.getScheme())
          || !"127.0.0.1".equals(redirectUri.getHost())) {
        send(exchange, 400, "text/plain", "bad client or redirect_uri");
        return;
      }
      if (!"S256".equals(q.get("code_challenge_method")) || q.get("code_challenge") == null) {
        redirect(exchange, redirect, "error=invalid_request&state=" + enc(q.get("state")));
        return;
      }
      if (denyConsent) {
        redirect(exchange, redirect, "error=access_denied&state=" + enc(q.get("state")));
        return;
      }
      String code = randomString();
      codes.put(
          code,
          new Grant(
              redirect,
              q.get("code_challenge"),
              q.getOrDefault("login_hint", "user"),
              q.getOrDefault("scope", "")));
      redirect(exchange, redirect, "code=" + enc(code) + "&state=" + enc(q.get("state")));
    }
  }

  private void token(HttpExchange exchange) throws IOException {
    try (exchange) {
      tokenRequests.incrementAndGet();
      Map<String, String> form = parse(body(exchange));
      if ("refresh_token".equals(form.get("grant_type"))) {
        refreshRequests.incrementAndGet();
      }
      waiting.incrementAndGet();
      try {
        hold.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        waiting.decrementAndGet();
      }
      if (failStatus != 0) {
        send(exchange, failStatus, "text/plain", "unavailable");
        return;
      }
      if (!CLIENT_ID.equals(form.get("client_id"))) {
        error(exchange, 401, "invalid_client");
        return;
      }
      switch (form.getOrDefault("grant_type", "")) {
        case "authorization_code" -> {
          Grant grant = codes.remove(form.getOrDefault("code", ""));
          if (grant == null
              || !grant.redirectUri.equals(form.get("redirect_uri"))
              || !grant.challenge.equals(s256(form.getOrDefault("code_verifier", "")))) {
            error(exchange, 400, "invalid_grant");
            return;
          }
          tokens(exchange, issue(grant.subject, grant.scope), true);
        }
        case "refresh_token" -> {
          String subject = refreshTokens.get(form.getOrDefault("refresh_token", ""));
          if (subject == null) {
            error(exchange, 400, "invalid_grant");
            return;
          }
          if (rotate) {
            refreshTokens.remove(form.get("refresh_token"));
            tokens(exchange, issue(subject, "mail"), true);
          } else {
            Issued i = new Issued(randomString(), form.get("refresh_token"), subject);
            record(i);
            tokens(exchange, i, false);
          }
        }
        case "urn:ietf:params:oauth:grant-type:device_code" -> {
          Device d = devices.get(form.getOrDefault("device_code", ""));
          if (d == null) {
            error(exchange, 400, "invalid_grant");
          } else if (d.denied) {
            error(exchange, 400, "access_denied");
          } else if (slowDownOnce) {
            slowDownOnce = false;
            error(exchange, 400, "slow_down");
          } else if (!d.approved) {
            error(exchange, 400, "authorization_pending");
          } else {
            devices.remove(form.get("device_code"));
            tokens(exchange, issue(d.subject, "mail"), true);
          }
        }
        default -> error(exchange, 400, "unsupported_grant_type");
      }
    }
  }

  private void device(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> form = parse(body(exchange));
      if (!CLIENT_ID.equals(form.get("client_id"))) {
        error(exchange, 401, "invalid_client");
        return;
      }
      String deviceCode = randomString();
      String userCode = "WDJB-MJHT";
      devices.put(deviceCode, new Device(userCode, "device-user"));
      send(
          exchange,
          200,
          "application/json",
          "{\"device_code\":\""
              + deviceCode
              + "\",\"user_code\":\""
              + userCode
              + "\",\"verification_uri\":\""
              + base().resolve("/device/verify")
              + "\",\"expires_in\":600,\"interval\":1}");
    }
  }

  private void revoke(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> form = parse(body(exchange));
      refreshTokens.remove(form.getOrDefault("token", ""));
      send(exchange, 200, "text/plain", "");
    }
  }

  private Issued issue(String subject, String scope) {
    Issued i = new Issued("at-" + randomString(), "rt-" + randomString(), subject);
    refreshTokens.put(i.refreshToken(), subject);
    record(i);
    return i;
  }

  private void record(Issued i) {
    issued.add(i);
    listeners.forEach(l -> l.accept(i));
  }

  private void tokens(HttpExchange exchange, Issued i, boolean withRefresh) throws IOException {
    StringBuilder json =
        new StringBuilder("{\"access_token\":\"")
            .append(i.accessToken())
            .append("\",\"token_type\":\"Bearer\",\"expires_in\":")
            .append(accessTokenLifetime)
            .append(",\"scope\":\"mail\"");
    if (withRefresh) {
      json.append(",\"refresh_token\":\"").append(i.refreshToken()).append('"');
    }
    if (refreshTokenLifetime != null) {
      json.append(",\"refresh_token_expires_in\":").append(refreshTokenLifetime);
    }
    send(exchange, 200, "application/json", json.append('}').toString());
  }

  private static void error(HttpExchange exchange, int status, String error) throws IOException {
    send(exchange, status, "application/json", "{\"error\":\"" + error + "\"}");
  }

  private static void redirect(HttpExchange exchange, String redirectUri, String query)
      throws IOException {
    exchange.getResponseHeaders().set("Location", redirectUri + "?" + query);
    exchange.sendResponseHeaders(302, -1);
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.getResponseHeaders().set("Cache-Control", "no-store");
    exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String body(HttpExchange exchange) throws IOException {
    return new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
  }

  private static Map<String, String> parse(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static String enc(String value) {
    return URLEncoder.encode(value == null ? "" : value, StandardCharsets.UTF_8);
  }

  private static String s256(String verifier) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String randomString() {
    byte[] b = new byte[18];
    random.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Override
  public void close() {
    release();
    server.stop(0);
  }

  /** For assertions: every refresh token the server still accepts. */
  public List<String> liveRefreshTokens() {
    return new ArrayList<>(refreshTokens.keySet());
  }
}
