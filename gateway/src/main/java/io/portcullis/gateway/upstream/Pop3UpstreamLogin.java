package io.portcullis.gateway.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.server.HandlerNames;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Sets up a logged-in POP3 upstream session as a flow of small steps: connect → (implicit TLS) →
 * greeting → CAPA → (STLS → TLS → CAPA again) → AUTH PLAIN or USER/PASS, or for a token AUTH
 * OAUTHBEARER (RFC 7628) or XOAUTH2 as the upstream advertises (RFC 5034; initial response when the
 * command fits in 255 octets) → ready. Nothing the upstream says in this phase reaches the client.
 * Confined to the upstream channel's event loop.
 */
public final class Pop3UpstreamLogin extends UpstreamLoginFlow<Pop3UpstreamLogin.Session> {
  /** A capability list longer than this is not a POP3 server talking. */
  private static final int MAX_CAPABILITY_LINES = 100;

  /** RFC 5034 §4: an AUTH command with its initial response must fit in 255 octets. */
  private static final int MAX_AUTH_COMMAND = 255;

  /** The steps, in order. */
  enum Step {
    /** Waiting for the implicit-TLS handshake. */
    TLS_HANDSHAKE,
    /** Waiting for "+OK" greeting (RFC 1939 §4). */
    GREETING,
    /** Reading the CAPA list (RFC 2449 §5). */
    CAPA,
    /** Sent STLS, waiting for "+OK" (RFC 2595 §4). */
    STLS,
    /** Waiting for the STLS handshake. */
    STLS_HANDSHAKE,
    /** Sent AUTH PLAIN with initial response (RFC 5034), or PASS. */
    AUTHENTICATE,
    /** Sent a token AUTH; answering the server's continuations (RFC 5034 §4). */
    AUTHENTICATE_BEARER,
    /** Sent USER. */
    USER,
    /** Logged in; this handler has removed itself. */
    READY
  }

  /** A logged-in upstream session, ready for the relay; its channel has auto-read off. */
  public record Session(Channel channel, List<String> capabilities) {}

  private final UpstreamLogin credentials;
  private final List<String> capabilities = new ArrayList<>();
  private Step step;
  private String bearerMechanism;
  private String pendingResponse;
  private boolean challengeAnswered;

  private Pop3UpstreamLogin(
      UpstreamConnector connector, UpstreamLogin credentials, Promise<Session> result) {
    super(connector, result);
    this.credentials = credentials;
    this.step =
        connector.endpoint().security() == Security.IMPLICIT_TLS
            ? Step.TLS_HANDSHAKE
            : Step.GREETING;
  }

  /**
   * Connects and logs in on {@code client}'s event loop. The future fails with an {@link
   * UpstreamException} that says why.
   */
  public static Future<Session> start(
      UpstreamConnector connector, UpstreamCredentials credentials, Channel client) {
    return UpstreamLoginFlow.start(
        connector,
        credentials,
        client,
        (login, result) -> new Pop3UpstreamLogin(connector, login, result));
  }

  @Override
  String step() {
    return step.name();
  }

  @Override
  void implicitTlsReady(ChannelHandlerContext ctx) {
    step = Step.GREETING;
  }

  @Override
  void startTlsReady(ChannelHandlerContext ctx) {
    capabilities.clear();
    send(ctx, "CAPA\r\n");
    step = Step.CAPA;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (finished()) {
      return;
    }
    if (!(msg instanceof String line)) {
      fail(ctx, UpstreamFailure.PROTOCOL, "line too long in " + step);
      return;
    }
    switch (step) {
      case GREETING -> onGreeting(ctx, line);
      case CAPA -> onCapability(ctx, line);
      case STLS -> onStls(ctx, line);
      case USER -> onUser(ctx, line);
      case AUTHENTICATE -> onAuthenticated(ctx, line);
      case AUTHENTICATE_BEARER -> onBearer(ctx, line);
      case TLS_HANDSHAKE, STLS_HANDSHAKE ->
          fail(ctx, UpstreamFailure.PROTOCOL, "data before TLS handshake");
      default -> fail(ctx, UpstreamFailure.PROTOCOL, "unexpected " + step);
    }
  }

  private void onGreeting(ChannelHandlerContext ctx, String line) {
    if (!positive(line)) {
      fail(ctx, negativeFailure(line), "greeting");
      return;
    }
    send(ctx, "CAPA\r\n");
    step = Step.CAPA;
  }

  private void onCapability(ChannelHandlerContext ctx, String line) {
    if (capabilities.isEmpty() && !line.equals(".") && isStatus(line)) {
      if (negative(line)) {
        // No CAPA (RFC 1939-only server): fall through to login with an empty list.
        afterCapabilities(ctx);
      }
      return;
    }
    if (line.equals(".")) {
      afterCapabilities(ctx);
      return;
    }
    if (capabilities.size() >= MAX_CAPABILITY_LINES) {
      fail(ctx, UpstreamFailure.PROTOCOL, "capability list too long");
      return;
    }
    capabilities.add(line);
  }

  private void afterCapabilities(ChannelHandlerContext ctx) {
    boolean tlsActive = ctx.pipeline().get(HandlerNames.TLS) != null;
    if (connector.endpoint().security() == Security.STARTTLS && !tlsActive) {
      if (!hasCapability("STLS")) {
        // THREATS C1: a server (or an attacker) hiding STLS never gets credentials.
        fail(ctx, UpstreamFailure.STARTTLS_UNAVAILABLE, "STLS not advertised");
        return;
      }
      send(ctx, "STLS\r\n");
      step = Step.STLS;
      return;
    }
    switch (credentials) {
      case UpstreamLogin.Password p -> login(ctx, p);
      case UpstreamLogin.Bearer b -> bearer(ctx, b);
    }
  }

  private void bearer(ChannelHandlerContext ctx, UpstreamLogin.Bearer b) {
    if (sasl("OAUTHBEARER")) {
      bearerMechanism = "OAUTHBEARER";
    } else if (sasl("XOAUTH2")) {
      bearerMechanism = "XOAUTH2";
    } else {
      fail(ctx, UpstreamFailure.OAUTH_NOT_OFFERED, "SASL lists neither OAUTHBEARER nor XOAUTH2");
      return;
    }
    String response = b.initialResponse(bearerMechanism);
    String command = "AUTH " + bearerMechanism + " " + response + "\r\n";
    step = Step.AUTHENTICATE_BEARER;
    if (command.length() <= MAX_AUTH_COMMAND) {
      send(ctx, command);
    } else {
      pendingResponse = response;
      send(ctx, "AUTH " + bearerMechanism + "\r\n");
    }
  }

  private void onBearer(ChannelHandlerContext ctx, String line) {
    if (line.equals("+") || line.startsWith("+ ")) {
      if (pendingResponse != null) {
        send(ctx, pendingResponse + "\r\n");
        pendingResponse = null;
      } else if (!challengeAnswered) {
        // RFC 7628 §3.2.2: the error challenge; answer it to get the final -ERR.
        challengeAnswered = true;
        send(ctx, UpstreamLogin.Bearer.abortResponse(bearerMechanism) + "\r\n");
      } else {
        fail(ctx, UpstreamFailure.PROTOCOL, "continuation after the error challenge");
      }
      return;
    }
    if (negativeFailure(line) == UpstreamFailure.REJECTED
        && credentials instanceof UpstreamLogin.Bearer b) {
      // Refused, not just busy: the token may have been revoked early.
      b.source().rejected(b.token());
    }
    onAuthenticated(ctx, line);
  }

  private void login(ChannelHandlerContext ctx, UpstreamLogin.Password credentials) {
    if (saslPlain()) {
      byte[] plain =
          ("\0" + credentials.user() + "\0" + credentials.password())
              .getBytes(StandardCharsets.UTF_8);
      send(ctx, "AUTH PLAIN " + Base64.getEncoder().encodeToString(plain) + "\r\n");
      step = Step.AUTHENTICATE;
    } else {
      if (credentials.user().indexOf(' ') >= 0) {
        // USER takes one argument; a space would smuggle a second one.
        fail(ctx, UpstreamFailure.UNSENDABLE_CREDENTIALS, "space in user name without SASL");
        return;
      }
      send(ctx, "USER " + credentials.user() + "\r\n");
      step = Step.USER;
    }
  }

  private void onStls(ChannelHandlerContext ctx, String line) {
    if (!positive(line)) {
      fail(ctx, UpstreamFailure.STARTTLS_UNAVAILABLE, "STLS refused");
      return;
    }
    step = Step.STLS_HANDSHAKE;
    startTls(ctx);
  }

  private void onUser(ChannelHandlerContext ctx, String line) {
    if (!positive(line)) {
      fail(ctx, negativeFailure(line), "USER");
      return;
    }
    send(ctx, "PASS " + ((UpstreamLogin.Password) credentials).password() + "\r\n");
    step = Step.AUTHENTICATE;
  }

  private void onAuthenticated(ChannelHandlerContext ctx, String line) {
    if (!positive(line)) {
      fail(ctx, negativeFailure(line), "login");
      return;
    }
    step = Step.READY;
    ready(ctx, new Session(ctx.channel(), List.copyOf(capabilities)));
  }

  private boolean hasCapability(String name) {
    return capabilities.stream()
        .anyMatch(c -> c.toUpperCase(Locale.ROOT).split(" ", 2)[0].equals(name));
  }

  private boolean saslPlain() {
    return sasl("PLAIN");
  }

  private boolean sasl(String mechanism) {
    return capabilities.stream()
        .map(c -> c.toUpperCase(Locale.ROOT).split(" "))
        .anyMatch(
            words -> words[0].equals("SASL") && java.util.Arrays.asList(words).contains(mechanism));
  }

  private static void send(ChannelHandlerContext ctx, String line) {
    ctx.writeAndFlush(Unpooled.copiedBuffer(line, StandardCharsets.UTF_8));
  }

  private static boolean isStatus(String line) {
    return positive(line) || negative(line);
  }

  private static boolean positive(String line) {
    return line.equals("+OK") || line.startsWith("+OK ");
  }

  private static boolean negative(String line) {
    return line.equals("-ERR") || line.startsWith("-ERR ");
  }

  /** -ERR with [SYS/TEMP], [IN-USE] or [LOGIN-DELAY] is temporary (RFC 2449 §8, RFC 3206). */
  private static UpstreamFailure negativeFailure(String line) {
    if (!negative(line)) {
      return UpstreamFailure.PROTOCOL;
    }
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("-ERR [SYS/TEMP]")
        || upper.startsWith("-ERR [IN-USE]")
        || upper.startsWith("-ERR [LOGIN-DELAY]")) {
      return UpstreamFailure.TEMPORARY;
    }
    return UpstreamFailure.REJECTED;
  }
}
