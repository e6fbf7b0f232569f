package io.portcullis.gateway.upstream;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.imap.codec.ResponseCodes;
import io.portcullis.gateway.server.HandlerNames;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Sets up a logged-in IMAP upstream session as a flow of small steps: connect → (implicit TLS) →
 * greeting (OK; PREAUTH and BYE abort) → CAPABILITY → (STARTTLS → TLS → CAPABILITY again) → (ID
 * with the client address) → AUTHENTICATE PLAIN (SASL-IR when offered) or LOGIN with quoted strings
 * or literals (THREATS A3), or for a token AUTHENTICATE OAUTHBEARER (RFC 7628) or XOAUTH2,
 * whichever the upstream advertises, with SASL-IR (RFC 4959) when offered → capabilities → ready.
 * Nothing the upstream says in this phase reaches the client (THREATS C5). Confined to the upstream
 * channel's event loop.
 */
public final class ImapUpstreamLogin extends UpstreamLoginFlow<ImapUpstreamLogin.Session> {
  private static final java.util.regex.Pattern SPACES = java.util.regex.Pattern.compile(" +");

  /** More capability words than this is not an IMAP server talking. */
  private static final int MAX_CAPABILITIES = 200;

  /** The steps, in order. */
  enum Step {
    /** Waiting for the implicit-TLS handshake. */
    TLS_HANDSHAKE,
    /** Waiting for the greeting (RFC 9051 §7.1). */
    GREETING,
    /** Sent CAPABILITY (RFC 9051 §6.1.1). */
    CAPABILITY,
    /** Sent STARTTLS, waiting for OK (RFC 9051 §6.2.1). */
    STARTTLS,
    /** Waiting for the STARTTLS handshake. */
    STARTTLS_HANDSHAKE,
    /** Sent ID with the client address (RFC 2971). */
    ID,
    /**
     * Sent AUTHENTICATE or LOGIN; continuation requests answered from {@link #parts}, then (token
     * logins) the error challenge answered with the abort response.
     */
    AUTHENTICATE,
    /** Logged in, asked for the capabilities that apply now (RFC 9051 §6.2.2). */
    CAPABILITY_AFTER_LOGIN,
    /** Logged in; this handler has removed itself. */
    READY
  }

  /** A logged-in upstream session, ready for the relay; its channel has auto-read off. */
  public record Session(Channel channel, List<String> capabilities) {}

  private final UpstreamLogin credentials;
  private final Optional<InetSocketAddress> clientAddress;
  private final List<String> capabilities = new ArrayList<>();
  private final ArrayDeque<String> parts = new ArrayDeque<>();
  private Step step;
  private int tagNumber;
  private String tag;
  private String bearerMechanism;
  private boolean challengeAnswered;

  private ImapUpstreamLogin(
      UpstreamConnector connector,
      UpstreamLogin credentials,
      Optional<InetSocketAddress> clientAddress,
      Promise<Session> result) {
    super(connector, result);
    this.credentials = credentials;
    this.clientAddress = clientAddress;
    this.step =
        connector.endpoint().security() == Security.IMPLICIT_TLS
            ? Step.TLS_HANDSHAKE
            : Step.GREETING;
  }

  /**
   * Connects and logs in on {@code client}'s event loop. The future fails with an {@link
   * UpstreamException} that says why.
   *
   * @param clientAddress sent upstream in ID {@code x-originating-ip} when present
   */
  public static Future<Session> start(
      UpstreamConnector connector,
      UpstreamCredentials credentials,
      Channel client,
      Optional<InetSocketAddress> clientAddress) {
    return UpstreamLoginFlow.start(
        connector,
        credentials,
        client,
        (login, result) -> new ImapUpstreamLogin(connector, login, clientAddress, result));
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
    command(ctx, Step.CAPABILITY, "CAPABILITY");
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
    if (step == Step.TLS_HANDSHAKE || step == Step.STARTTLS_HANDSHAKE) {
      fail(ctx, UpstreamFailure.PROTOCOL, "data before TLS handshake");
      return;
    }
    if (step == Step.GREETING) {
      onGreeting(ctx, line);
      return;
    }
    if (line.startsWith("* ")) {
      onUntagged(ctx, line.substring(2));
    } else if (line.equals("+") || line.startsWith("+ ")) {
      onContinuation(ctx);
    } else if (tag != null && line.startsWith(tag + " ")) {
      onTagged(ctx, line.substring(tag.length() + 1));
    } else {
      fail(ctx, UpstreamFailure.PROTOCOL, "unexpected line in " + step);
    }
  }

  private void onGreeting(ChannelHandlerContext ctx, String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    if (upper.startsWith("* PREAUTH")) {
      // THREATS C2: a PREAUTH session is someone else's login; never use it.
      fail(ctx, UpstreamFailure.PROTOCOL, "PREAUTH greeting");
      return;
    }
    if (upper.startsWith("* BYE")) {
      fail(ctx, UpstreamFailure.TEMPORARY, "BYE greeting");
      return;
    }
    if (!upper.startsWith("* OK")) {
      fail(ctx, UpstreamFailure.PROTOCOL, "greeting");
      return;
    }
    // A greeting's CAPABILITY code (RFC 9051 §7.1) spares a round trip. It is as trustworthy as a
    // CAPABILITY answer on the same connection: inside TLS for implicit TLS, and for STARTTLS it
    // only decides whether STARTTLS is offered; everything learnt before the handshake is
    // discarded and asked again after it (startTlsReady, THREATS C4).
    java.util.Optional<String> listed = ResponseCodes.value(line, "CAPABILITY");
    if (listed.isPresent()) {
      step = Step.CAPABILITY;
      if (!addCapabilities(listed.get())) {
        fail(ctx, UpstreamFailure.PROTOCOL, "capability list too long");
        return;
      }
      afterCapabilities(ctx);
      return;
    }
    command(ctx, Step.CAPABILITY, "CAPABILITY");
  }

  private void onUntagged(ChannelHandlerContext ctx, String rest) {
    String upper = rest.toUpperCase(Locale.ROOT);
    if (upper.startsWith("BYE")) {
      fail(ctx, UpstreamFailure.CLOSED, "BYE in " + step);
      return;
    }
    if ((step == Step.CAPABILITY || step == Step.CAPABILITY_AFTER_LOGIN)
        && upper.startsWith("CAPABILITY ")) {
      if (!addCapabilities(rest.substring("CAPABILITY ".length()))) {
        fail(ctx, UpstreamFailure.PROTOCOL, "capability list too long");
      }
    }
    // Other untagged data (ID answers, alerts, referrals) is not used and never relayed (C5, C6).
  }

  private void onContinuation(ChannelHandlerContext ctx) {
    if (step == Step.AUTHENTICATE
        && parts.isEmpty()
        && bearerMechanism != null
        && !challengeAnswered) {
      // RFC 7628 §3.2.2: a refused token gets an error challenge; answer it to get the NO.
      challengeAnswered = true;
      send(ctx, UpstreamLogin.Bearer.abortResponse(bearerMechanism) + "\r\n");
      return;
    }
    if (step != Step.AUTHENTICATE || parts.isEmpty()) {
      fail(ctx, UpstreamFailure.PROTOCOL, "continuation in " + step);
      return;
    }
    send(ctx, parts.poll());
  }

  private void onTagged(ChannelHandlerContext ctx, String status) {
    String upper = status.toUpperCase(Locale.ROOT);
    boolean ok = upper.startsWith("OK");
    if (upper.contains("[REFERRAL")) {
      // THREATS C6: a referral is neither followed nor relayed.
      fail(ctx, UpstreamFailure.REJECTED, "referral in " + step);
      return;
    }
    switch (step) {
      case CAPABILITY -> {
        if (!ok) {
          fail(ctx, UpstreamFailure.PROTOCOL, "CAPABILITY refused");
        } else {
          afterCapabilities(ctx);
        }
      }
      case STARTTLS -> onStartTls(ctx, ok);
      case ID -> login(ctx);
      case AUTHENTICATE -> {
        if (!ok) {
          if (credentials instanceof UpstreamLogin.Bearer b && !upper.contains("[UNAVAILABLE]")) {
            // Refused, not just busy: the token may have been revoked early.
            b.source().rejected(b.token());
          }
          fail(
              ctx,
              upper.contains("[UNAVAILABLE]")
                  ? UpstreamFailure.TEMPORARY
                  : UpstreamFailure.REJECTED,
              "login");
          return;
        }
        capabilities.clear();
        java.util.Optional<String> listed = ResponseCodes.value(status, "CAPABILITY");
        if (listed.isPresent()) {
          addCapabilities(listed.get());
          ready(ctx);
        } else {
          command(ctx, Step.CAPABILITY_AFTER_LOGIN, "CAPABILITY");
        }
      }
      case CAPABILITY_AFTER_LOGIN -> ready(ctx);
      default -> fail(ctx, UpstreamFailure.PROTOCOL, "tagged answer in " + step);
    }
  }

  private void afterCapabilities(ChannelHandlerContext ctx) {
    boolean tlsActive = ctx.pipeline().get(HandlerNames.TLS) != null;
    if (connector.endpoint().security() == Security.STARTTLS && !tlsActive) {
      if (!hasCapability("STARTTLS")) {
        // THREATS C1: a server (or an attacker) hiding STARTTLS never gets credentials.
        fail(ctx, UpstreamFailure.STARTTLS_UNAVAILABLE, "STARTTLS not advertised");
        return;
      }
      command(ctx, Step.STARTTLS, "STARTTLS");
      return;
    }
    if (clientAddress.isPresent() && hasCapability("ID")) {
      InetSocketAddress a = clientAddress.get();
      command(
          ctx,
          Step.ID,
          "ID (\"x-originating-ip\" \""
              + a.getAddress().getHostAddress()
              + "\" \"x-originating-port\" \""
              + a.getPort()
              + "\")");
      return;
    }
    login(ctx);
  }

  private void onStartTls(ChannelHandlerContext ctx, boolean ok) {
    if (!ok) {
      fail(ctx, UpstreamFailure.STARTTLS_UNAVAILABLE, "STARTTLS refused");
      return;
    }
    step = Step.STARTTLS_HANDSHAKE;
    startTls(ctx);
  }

  private void login(ChannelHandlerContext ctx) {
    switch (credentials) {
      case UpstreamLogin.Password p -> login(ctx, p);
      case UpstreamLogin.Bearer b -> bearer(ctx, b);
    }
  }

  /**
   * OAUTHBEARER is the standard (RFC 7628); XOAUTH2 is what Microsoft 365 and older servers offer.
   */
  private void bearer(ChannelHandlerContext ctx, UpstreamLogin.Bearer b) {
    if (hasCapability("AUTH=OAUTHBEARER")) {
      bearerMechanism = "OAUTHBEARER";
    } else if (hasCapability("AUTH=XOAUTH2")) {
      bearerMechanism = "XOAUTH2";
    } else {
      fail(ctx, UpstreamFailure.OAUTH_NOT_OFFERED, "neither AUTH=OAUTHBEARER nor AUTH=XOAUTH2");
      return;
    }
    String response = b.initialResponse(bearerMechanism);
    if (hasCapability("SASL-IR")) {
      command(ctx, Step.AUTHENTICATE, "AUTHENTICATE " + bearerMechanism + " " + response);
    } else {
      parts.add(response + "\r\n");
      command(ctx, Step.AUTHENTICATE, "AUTHENTICATE " + bearerMechanism);
    }
  }

  private void login(ChannelHandlerContext ctx, UpstreamLogin.Password credentials) {
    if (hasCapability("AUTH=PLAIN")) {
      String plain =
          Base64.getEncoder()
              .encodeToString(
                  ("\0" + credentials.user() + "\0" + credentials.password())
                      .getBytes(StandardCharsets.UTF_8));
      if (hasCapability("SASL-IR")) {
        command(ctx, Step.AUTHENTICATE, "AUTHENTICATE PLAIN " + plain);
      } else {
        parts.add(plain + "\r\n");
        command(ctx, Step.AUTHENTICATE, "AUTHENTICATE PLAIN");
      }
      return;
    }
    if (hasCapability("LOGINDISABLED")) {
      fail(ctx, UpstreamFailure.REJECTED, "LOGINDISABLED and no AUTH=PLAIN");
      return;
    }
    List<String> pieces =
        ImapStrings.loginCommand(
            nextTag(), credentials.user(), credentials.password(), literalMode());
    step = Step.AUTHENTICATE;
    send(ctx, pieces.get(0));
    parts.addAll(pieces.subList(1, pieces.size()));
  }

  private ImapStrings.LiteralMode literalMode() {
    if (hasCapability("LITERAL+")) {
      return ImapStrings.LiteralMode.NON_SYNC;
    }
    return hasCapability("LITERAL-")
        ? ImapStrings.LiteralMode.NON_SYNC_UP_TO_4096
        : ImapStrings.LiteralMode.SYNC;
  }

  private void ready(ChannelHandlerContext ctx) {
    step = Step.READY;
    ready(ctx, new Session(ctx.channel(), List.copyOf(capabilities)));
  }

  private boolean addCapabilities(String list) {
    for (String word : SPACES.split(list.trim())) {
      if (capabilities.size() >= MAX_CAPABILITIES) {
        return false;
      }
      if (!word.isEmpty()) {
        capabilities.add(word);
      }
    }
    return true;
  }

  private boolean hasCapability(String name) {
    return capabilities.stream().anyMatch(c -> c.equalsIgnoreCase(name));
  }

  private String nextTag() {
    tag = "P" + (++tagNumber);
    return tag;
  }

  private void command(ChannelHandlerContext ctx, Step next, String text) {
    step = next;
    send(ctx, nextTag() + " " + text + "\r\n");
  }

  private static void send(ChannelHandlerContext ctx, String text) {
    ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
  }
}
