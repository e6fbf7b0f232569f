package io.portcullis.gateway.pop3;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.auth.Credentials;
import io.portcullis.auth.PasswordCredentials;
import io.portcullis.auth.Secret;
import io.portcullis.auth.sasl.BearerError;
import io.portcullis.auth.sasl.SaslCodec;
import io.portcullis.auth.sasl.SaslMechanism;
import io.portcullis.auth.sasl.SaslSession;
import io.portcullis.auth.sasl.SaslStep;
import io.portcullis.gateway.audit.AuditLog.Outcome;
import io.portcullis.gateway.codec.LineFramer;
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.login.LoginDecision;
import io.portcullis.gateway.login.LoginRequest;
import io.portcullis.gateway.server.HandlerNames;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.server.LoginSequence;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.Pop3UpstreamLogin;
import io.portcullis.gateway.upstream.UpstreamConnector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP3 AUTHORIZATION state (RFC 1939 §4): greeting, CAPA, STLS, USER/PASS, AUTH, then the
 * upstream login; on success it hands the connection to {@link Pop3Relay}. Confined to the
 * channel's event loop.
 */
public final class Pop3FrontEnd extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(Pop3FrontEnd.class);

  /** Where the session stands before the relay takes over. */
  enum State {
    /** Accepting commands (RFC 1939 §4). */
    AUTHORIZATION,
    /** STLS accepted; only a TLS handshake may follow (RFC 2595 §4). */
    TLS_NEGOTIATING,
    /** Inside an AUTH exchange: the next line is a SASL response (RFC 5034 §4). */
    SASL,
    /** Credentials are being checked and the upstream logged in; input is held. */
    LOGGING_IN,
    /** Closing; input is ignored. */
    CLOSED
  }

  private final ListenerContext context;
  private final ArrayDeque<Object> held = new ArrayDeque<>();
  private ClientSession session;
  private State state = State.AUTHORIZATION;
  private String pendingUser;
  private SaslSession sasl;
  private ScheduledFuture<?> loginDeadline;
  private RejectedToken rejectedToken;

  /** A bearer token refused by the gate, waiting for the client's answer to the error challenge. */
  private record RejectedToken(String user, String reason) {}

  public Pop3FrontEnd(ListenerContext context) {
    this.context = context;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    session = ClientSession.of(ctx.channel());
    loginDeadline =
        ctx.executor()
            .schedule(
                () -> loginTimedOut(ctx),
                context.limits().loginTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    // With implicit TLS the SslHandler holds this until the handshake is done.
    reply(ctx, Pop3Reply.GREETING);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    cancelDeadline();
    ctx.fireChannelInactive();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof SslHandshakeCompletionEvent handshake)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (!handshake.isSuccess()) {
      context.audit().session(session, "tls-handshake-failed", "client-handshake");
      close(ctx);
      return;
    }
    session.tlsEstablished();
    if (state == State.TLS_NEGOTIATING) {
      // THREATS S3: nothing from before TLS survives; a fresh framer has an empty buffer.
      ctx.pipeline()
          .replace(
              HandlerNames.FRAMER,
              HandlerNames.FRAMER,
              new LineFramer(context.limits().preAuthLineLength()));
      session.resetAfterTls();
      pendingUser = null;
      state = State.AUTHORIZATION;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    switch (state) {
      case CLOSED -> {}
      case TLS_NEGOTIATING -> starttlsInjection(ctx);
      case LOGGING_IN -> hold(ctx, msg);
      case SASL -> onSaslResponse(ctx, msg);
      case AUTHORIZATION -> {
        if (msg == LineFramer.TOO_LONG) {
          bad(ctx, Pop3Reply.LINE_TOO_LONG);
        } else {
          dispatch(ctx, Pop3CommandParser.parse((String) msg));
        }
      }
    }
  }

  private void dispatch(ChannelHandlerContext ctx, Pop3Command command) {
    switch (command) {
      case Pop3Command.Capa c ->
          ctx.writeAndFlush(
              Pop3Capabilities.beforeLogin(
                  ctx.alloc(),
                  loginAllowed(),
                  canStls(),
                  context.loginGate().passwordLogin(),
                  context.loginGate().saslMechanisms(session)));
      case Pop3Command.Stls s -> stls(ctx);
      case Pop3Command.User u -> {
        if (refuseBeforeTls(ctx)) {
          return;
        }
        if (!context.loginGate().passwordLogin()) {
          bad(ctx, Pop3Reply.MECHANISM_UNSUPPORTED);
          return;
        }
        pendingUser = u.name();
        reply(ctx, Pop3Reply.USER_ACCEPTED);
      }
      case Pop3Command.Pass p -> pass(ctx, p);
      case Pop3Command.Auth a -> auth(ctx, a);
      case Pop3Command.Quit q -> {
        state = State.CLOSED;
        ctx.writeAndFlush(Pop3Reply.BYE.toBuf(ctx.alloc()))
            .addListener(ChannelFutureListener.CLOSE);
      }
      case Pop3Command.Noop n -> reply(ctx, Pop3Reply.OK);
      case Pop3Command.Invalid i ->
          bad(
              ctx,
              i.problem() == Pop3Command.Problem.UNKNOWN_COMMAND
                  ? Pop3Reply.UNKNOWN_COMMAND
                  : Pop3Reply.SYNTAX_ERROR);
      case Pop3Command.Stat s -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.List l -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.Uidl u -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.Retr r -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.Top t -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.Dele d -> bad(ctx, Pop3Reply.WRONG_STATE);
      case Pop3Command.Rset r -> bad(ctx, Pop3Reply.WRONG_STATE);
    }
  }

  private void stls(ChannelHandlerContext ctx) {
    if (!canStls()) {
      bad(ctx, session.tlsActive() ? Pop3Reply.STLS_UNAVAILABLE : Pop3Reply.UNKNOWN_COMMAND);
      return;
    }
    LineFramer framer = (LineFramer) ctx.pipeline().get(HandlerNames.FRAMER);
    if (framer.bufferedBytes() > 0) {
      starttlsInjection(ctx);
      return;
    }
    state = State.TLS_NEGOTIATING;
    // The answer leaves in plaintext: it is written through to the socket before TLS is added.
    ctx.writeAndFlush(Pop3Reply.BEGIN_TLS.toBuf(ctx.alloc()));
    ctx.pipeline().addFirst(HandlerNames.TLS, context.tls().orElseThrow().newHandler(ctx.alloc()));
  }

  /** THREATS S1: bytes pipelined after STLS were sent in plaintext; refuse and close. */
  private void starttlsInjection(ChannelHandlerContext ctx) {
    if (state == State.CLOSED) {
      return;
    }
    context.audit().session(session, "starttls-injection", "bytes-after-stls");
    if (state == State.TLS_NEGOTIATING) {
      close(ctx);
    } else {
      state = State.CLOSED;
      ctx.writeAndFlush(Pop3Reply.STLS_PIPELINED.toBuf(ctx.alloc()))
          .addListener(ChannelFutureListener.CLOSE);
    }
  }

  private void pass(ChannelHandlerContext ctx, Pop3Command.Pass pass) {
    if (refuseBeforeTls(ctx)) {
      return;
    }
    if (pendingUser == null) {
      bad(ctx, Pop3Reply.NO_USER);
      return;
    }
    String user = utf8(pendingUser);
    pendingUser = null;
    Secret secret;
    try {
      secret = Secret.ofUtf8(pass.secret().getBytes(StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      authFailed(ctx, user, "USER", "bad-encoding", false);
      return;
    }
    login(ctx, PasswordCredentials.of(user, secret), "USER");
  }

  private void auth(ChannelHandlerContext ctx, Pop3Command.Auth auth) {
    if (refuseBeforeTls(ctx)) {
      return;
    }
    Optional<SaslMechanism> mechanism =
        SaslMechanism.byName(auth.mechanism())
            .filter(m -> context.loginGate().saslMechanisms(session).contains(m.saslName()));
    if (mechanism.isEmpty()) {
      bad(ctx, Pop3Reply.MECHANISM_UNSUPPORTED);
      return;
    }
    sasl = SaslSession.start(mechanism.get(), context.saslLimits());
    onSaslStep(ctx, sasl.begin(auth.initialResponse()));
  }

  private void onSaslResponse(ChannelHandlerContext ctx, Object msg) {
    if (msg == LineFramer.TOO_LONG) {
      state = State.AUTHORIZATION;
      authFailed(ctx, null, sasl.mechanism().saslName(), "sasl-response-too-long", false);
      return;
    }
    onSaslStep(ctx, sasl.respond((String) msg));
  }

  private void onSaslStep(ChannelHandlerContext ctx, SaslStep step) {
    switch (step) {
      case SaslStep.Challenge c -> {
        state = State.SASL;
        ctx.writeAndFlush(
            Unpooled.copiedBuffer(
                "+ " + SaslCodec.encodeChallenge(c.data()) + "\r\n", StandardCharsets.US_ASCII));
      }
      case SaslStep.Done d -> {
        state = State.AUTHORIZATION;
        login(ctx, d.credentials(), sasl.mechanism().saslName());
      }
      case SaslStep.Failed f -> {
        state = State.AUTHORIZATION;
        if (rejectedToken != null) {
          RejectedToken rejected = rejectedToken;
          rejectedToken = null;
          authFailed(ctx, rejected.user(), sasl.mechanism().saslName(), rejected.reason(), false);
        } else if (f.reason().equals("cancelled")) {
          bad(ctx, Pop3Reply.AUTH_CANCELLED);
        } else {
          authFailed(ctx, null, sasl.mechanism().saslName(), "sasl-" + f.reason(), false);
        }
      }
    }
  }

  private void login(ChannelHandlerContext ctx, Credentials credentials, String mechanism) {
    state = State.LOGGING_IN;
    ctx.channel().config().setAutoRead(false);
    LoginSequence.start(
        ctx,
        context,
        new LoginRequest(session, credentials, mechanism),
        new LoginSequence.Protocol<Pop3UpstreamLogin.Session>() {
          @Override
          public Future<Pop3UpstreamLogin.Session> connect(
              UpstreamConnector upstream, LoginDecision.Proceed proceed) {
            return Pop3UpstreamLogin.start(upstream, proceed.upstream(), ctx.channel());
          }

          @Override
          public boolean waiting() {
            return state == State.LOGGING_IN;
          }

          @Override
          public void refuse(String user, String reason, boolean temporary) {
            authFailed(ctx, user, mechanism, reason, temporary);
          }

          @Override
          public void challengeToken(String user, String reason) {
            // The client's (empty) answer to the challenge ends the exchange with the failure.
            rejectedToken = new RejectedToken(user, reason);
            state = State.SASL;
            ctx.channel().config().setAutoRead(true);
            onSaslStep(ctx, sasl.rejectToken(BearerError.invalidToken(), reason));
          }

          @Override
          public void loggedIn(LoginDecision.Proceed proceed, Pop3UpstreamLogin.Session up) {
            cancelDeadline();
            reply(ctx, Pop3Reply.LOGGED_IN);
            startRelay(ctx, proceed, up);
          }

          @Override
          public void discard(Pop3UpstreamLogin.Session up) {
            up.channel().close();
          }
        });
  }

  private void startRelay(
      ChannelHandlerContext ctx, LoginDecision.Proceed proceed, Pop3UpstreamLogin.Session up) {
    state = State.CLOSED;
    ((LineFramer) ctx.pipeline().get(HandlerNames.FRAMER))
        .setMaxLength(context.limits().postAuthLineLength());
    long idle = context.limits().idleTimeout().toMillis();
    ctx.pipeline()
        .addBefore(
            HandlerNames.FRONT_END,
            HandlerNames.IDLE,
            new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS));
    Pop3Relay relay =
        new Pop3Relay(
            context,
            session,
            up.channel(),
            up.capabilities(),
            context.messageFilter(),
            proceed.filter(),
            context.filtering().scanBudgetDuration());
    ctx.pipeline().replace(this, HandlerNames.RELAY, relay);
    relay.start(ctx.pipeline().context(relay), held);
    held.clear();
  }

  private void authFailed(
      ChannelHandlerContext ctx, String user, String mechanism, String reason, boolean temporary) {
    if (!ctx.channel().isActive()) {
      return;
    }
    context
        .audit()
        .login(
            session,
            user,
            mechanism,
            temporary ? Outcome.TEMPORARY_FAILURE : Outcome.FAILURE,
            reason);
    state = State.AUTHORIZATION;
    if (session.authFailure() >= context.limits().maxAuthAttempts()) {
      state = State.CLOSED;
      ctx.writeAndFlush(Pop3Reply.TOO_MANY_FAILURES.toBuf(ctx.alloc()))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    reply(ctx, temporary ? Pop3Reply.TEMPORARY_FAILURE : Pop3Reply.AUTH_FAILED);
    ctx.channel().config().setAutoRead(true);
    while (state == State.AUTHORIZATION && !held.isEmpty()) {
      channelRead(ctx, held.poll());
    }
  }

  private void hold(ChannelHandlerContext ctx, Object msg) {
    // RFC 2449 PIPELINING: commands sent right after PASS are answered once the login is done.
    if (held.size() >= context.limits().maxPipelinedCommands()) {
      close(ctx);
      return;
    }
    held.add(msg);
  }

  /** STARTTLS listeners refuse credentials in plaintext (THREATS S2). */
  private boolean refuseBeforeTls(ChannelHandlerContext ctx) {
    if (loginAllowed()) {
      return false;
    }
    bad(ctx, Pop3Reply.TLS_REQUIRED);
    return true;
  }

  private boolean loginAllowed() {
    return session.tlsActive() || context.listener().url().security() == Security.PLAINTEXT;
  }

  private boolean canStls() {
    return !session.tlsActive()
        && context.listener().url().security() == Security.STARTTLS
        && context.tls().isPresent();
  }

  private void bad(ChannelHandlerContext ctx, Pop3Reply reply) {
    if (session.badCommand() > context.limits().maxBadCommands()) {
      context.audit().session(session, "too-many-errors", "bad-commands");
      state = State.CLOSED;
      ctx.writeAndFlush(Pop3Reply.TOO_MANY_ERRORS.toBuf(ctx.alloc()))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    reply(ctx, reply);
  }

  private void loginTimedOut(ChannelHandlerContext ctx) {
    if (state == State.CLOSED || !ctx.channel().isActive()) {
      return;
    }
    context.audit().session(session, "login-timeout", "login-deadline");
    state = State.CLOSED;
    ctx.writeAndFlush(Pop3Reply.LOGIN_TIMEOUT.toBuf(ctx.alloc()))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("session {} closed after {}", session.id(), cause.getClass().getSimpleName());
    close(ctx);
  }

  private void close(ChannelHandlerContext ctx) {
    state = State.CLOSED;
    cancelDeadline();
    ctx.close();
  }

  private void cancelDeadline() {
    if (loginDeadline != null) {
      loginDeadline.cancel(false);
    }
  }

  private static void reply(ChannelHandlerContext ctx, Pop3Reply reply) {
    ctx.writeAndFlush(reply.toBuf(ctx.alloc()));
  }

  private static String utf8(String isoLatin1Bytes) {
    return new String(isoLatin1Bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** The current state, for tests. */
  State state() {
    return state;
  }
}
