package io.portcullis.gateway.config;

import java.time.Duration;

/**
 * Every limit the gateway enforces, in one validated record. Limits before authentication are
 * tighter: the client is unknown and may be an attacker (../shared/THREATS.md P4–P8).
 *
 * @param maxConnections connections open at once, all listeners together
 * @param maxConnectionsPerSource connections open at once from one source address
 * @param preAuthLineLength longest command line before login; RFC 2449 §4 allows 255 octets for
 *     POP3 commands, SASL responses need more (THREATS P6: 8 KiB)
 * @param postAuthLineLength longest command line after login (THREATS P6: 64 KiB)
 * @param upstreamLineLength longest status line accepted from an upstream outside a message body
 * @param maxBadCommands unknown or malformed commands before login, then close (THREATS P7)
 * @param maxAuthAttempts failed logins on one connection, then close
 * @param loginTimeout absolute time from connect to successful login (THREATS P8, slowloris)
 * @param idleTimeout time without a client command after login; RFC 1939 §3 asks for at least 10
 *     minutes for POP3, RFC 9051 §5.4 for 30 minutes for IMAP
 * @param upstreamConnectTimeout TCP connect to an upstream
 * @param upstreamLoginTimeout from TCP connect to a logged-in upstream session
 * @param maxPipelinedCommands commands relayed and not yet answered before the gateway stops
 *     reading the client
 * @param shutdownGrace how long sessions may finish after SIGTERM before they are closed
 * @param preAuthLiteralSize largest IMAP literal before login (THREATS P2, 8 KiB); a larger one is
 *     refused without being read
 * @param postAuthLiteralSize largest IMAP literal a client may send after login (APPEND); it is
 *     streamed, never held, so this bounds upstream storage, not gateway memory
 * @param imapIdleTimeout time without a client command after an IMAP login; RFC 9051 §5.4 asks for
 *     at least 30 minutes, which IDLE clients rely on (RFC 2177 §3)
 * @param imapForwardClientAddress send the client's address to the IMAP upstream in an RFC 2971 ID
 *     command ({@code x-originating-ip}) before login; only for an upstream that trusts the gateway
 *     (Dovecot {@code login_trusted_networks})
 */
public record GatewayLimits(
    Integer maxConnections,
    Integer maxConnectionsPerSource,
    Integer preAuthLineLength,
    Integer postAuthLineLength,
    Integer upstreamLineLength,
    Integer maxBadCommands,
    Integer maxAuthAttempts,
    Duration loginTimeout,
    Duration idleTimeout,
    Duration upstreamConnectTimeout,
    Duration upstreamLoginTimeout,
    Integer maxPipelinedCommands,
    Duration shutdownGrace,
    Integer preAuthLiteralSize,
    Long postAuthLiteralSize,
    Duration imapIdleTimeout,
    Boolean imapForwardClientAddress) {

  public static final int DEFAULT_MAX_CONNECTIONS = 20_000;
  public static final int DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 50;
  public static final int DEFAULT_PRE_AUTH_LINE = 8 * 1024;
  public static final int DEFAULT_POST_AUTH_LINE = 64 * 1024;
  public static final int DEFAULT_UPSTREAM_LINE = 64 * 1024;
  public static final int DEFAULT_MAX_BAD_COMMANDS = 5;
  public static final int DEFAULT_MAX_AUTH_ATTEMPTS = 3;
  public static final Duration DEFAULT_LOGIN_TIMEOUT = Duration.ofSeconds(60);
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  public static final Duration DEFAULT_UPSTREAM_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_UPSTREAM_LOGIN_TIMEOUT = Duration.ofSeconds(30);
  public static final int DEFAULT_MAX_PIPELINED = 1_000;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  public static final int DEFAULT_PRE_AUTH_LITERAL = 8 * 1024;
  public static final long DEFAULT_POST_AUTH_LITERAL = 256L * 1024 * 1024;

  /** The largest number an IMAP literal size may be (RFC 9051 §9, {@code number}). */
  public static final long MAX_IMAP_LITERAL = 4_294_967_295L;

  /** RFC 9051 §5.4: an autologout timer must be at least 30 minutes. */
  public static final Duration MIN_IMAP_IDLE_TIMEOUT = Duration.ofMinutes(30);

  public static final Duration DEFAULT_IMAP_IDLE_TIMEOUT = Duration.ofMinutes(31);

  public GatewayLimits {
    maxConnections = positive("max-connections", maxConnections, DEFAULT_MAX_CONNECTIONS);
    maxConnectionsPerSource =
        positive(
            "max-connections-per-source",
            maxConnectionsPerSource,
            DEFAULT_MAX_CONNECTIONS_PER_SOURCE);
    preAuthLineLength =
        atLeast("pre-auth-line-length", preAuthLineLength, DEFAULT_PRE_AUTH_LINE, 512);
    postAuthLineLength =
        atLeast("post-auth-line-length", postAuthLineLength, DEFAULT_POST_AUTH_LINE, 1024);
    upstreamLineLength =
        atLeast("upstream-line-length", upstreamLineLength, DEFAULT_UPSTREAM_LINE, 1024);
    maxBadCommands = positive("max-bad-commands", maxBadCommands, DEFAULT_MAX_BAD_COMMANDS);
    maxAuthAttempts = positive("max-auth-attempts", maxAuthAttempts, DEFAULT_MAX_AUTH_ATTEMPTS);
    loginTimeout = positive("login-timeout", loginTimeout, DEFAULT_LOGIN_TIMEOUT);
    idleTimeout = positive("idle-timeout", idleTimeout, DEFAULT_IDLE_TIMEOUT);
    upstreamConnectTimeout =
        positive(
            "upstream-connect-timeout", upstreamConnectTimeout, DEFAULT_UPSTREAM_CONNECT_TIMEOUT);
    upstreamLoginTimeout =
        positive("upstream-login-timeout", upstreamLoginTimeout, DEFAULT_UPSTREAM_LOGIN_TIMEOUT);
    maxPipelinedCommands =
        positive("max-pipelined-commands", maxPipelinedCommands, DEFAULT_MAX_PIPELINED);
    shutdownGrace = positiveOrZero("shutdown-grace", shutdownGrace, DEFAULT_SHUTDOWN_GRACE);
    preAuthLiteralSize =
        atLeast("pre-auth-literal-size", preAuthLiteralSize, DEFAULT_PRE_AUTH_LITERAL, 256);
    if (postAuthLiteralSize == null) {
      postAuthLiteralSize = DEFAULT_POST_AUTH_LITERAL;
    } else if (postAuthLiteralSize < preAuthLiteralSize || postAuthLiteralSize > MAX_IMAP_LITERAL) {
      throw new IllegalArgumentException(
          "post-auth-literal-size must be between pre-auth-literal-size ("
              + preAuthLiteralSize
              + ") and "
              + MAX_IMAP_LITERAL
              + ", got "
              + postAuthLiteralSize);
    }
    imapIdleTimeout = positive("imap-idle-timeout", imapIdleTimeout, DEFAULT_IMAP_IDLE_TIMEOUT);
    if (imapIdleTimeout.compareTo(MIN_IMAP_IDLE_TIMEOUT) < 0) {
      throw new IllegalArgumentException(
          "imap-idle-timeout must be at least 30m (RFC 9051 §5.4), got " + imapIdleTimeout);
    }
    imapForwardClientAddress = imapForwardClientAddress != null && imapForwardClientAddress;
    if (preAuthLineLength > postAuthLineLength) {
      throw new IllegalArgumentException(
          "pre-auth-line-length ("
              + preAuthLineLength
              + ") must not exceed post-auth-line-length ("
              + postAuthLineLength
              + ")");
    }
  }

  /** All defaults. */
  public static GatewayLimits defaults() {
    return new GatewayLimits(
        null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
        null, null);
  }

  private static int positive(String key, Integer value, int fallback) {
    return atLeast(key, value, fallback, 1);
  }

  private static int atLeast(String key, Integer value, int fallback, int min) {
    if (value == null) {
      return fallback;
    }
    if (value < min) {
      throw new IllegalArgumentException(key + " must be at least " + min + ", got " + value);
    }
    return value;
  }

  private static Duration positive(String key, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + " must be a positive duration, got " + value);
    }
    return value;
  }

  private static Duration positiveOrZero(String key, Duration value, Duration fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.isNegative()) {
      throw new IllegalArgumentException(key + " must not be negative, got " + value);
    }
    return value;
  }
}
