package io.portcullis.gateway.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
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
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.imap.codec.ImapCommand;
import io.portcullis.gateway.imap.codec.ImapCommandParser;
import io.portcullis.gateway.imap.codec.ImapFrame;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.imap.scan.ArrivalScanner;
import io.portcullis.gateway.login.LoginDecision;
import io.portcullis.gateway.login.LoginRequest;
import io.portcullis.gateway.server.HandlerNames;
import io.portcullis.gateway.server.ListenerContext;
import io.portcullis.gateway.server.LoginSequence;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.ImapUpstreamLogin;
import io.portcullis.gateway.upstream.UpstreamConnector;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The IMAP not-authenticated state (RFC 9051 §3.1, §6.1, §6.2): greeting, CAPABILITY, STARTTLS,
 * LOGIN, AUTHENTICATE (SASL-IR), ID, NOOP, LOGOUT, then the upstream login; on success it hands the
 * connection to {@link ImapRelay}. Confined to the channel's event loop.
 */
public final class ImapFrontEnd extends ChannelInboundHandlerAdapter {
  private static final Logger LOG = LoggerFactory.getLogger(ImapFrontEnd.class);

  /** Mechanisms offered to clients; the pass-through gate can forward only passwords. */

  /** Commands whose arguments may be literals before login. */
  private static final Set<String> LITERAL_COMMANDS = Set.of("LOGIN", "ID");

  /** Where the session stands before the relay takes over. */
  enum State {
    /** Accepting commands (RFC 9051 §3.1). */
    NOT_AUTHENTICATED,
    /** STARTTLS accepted; only a TLS handshake may follow (RFC 2595 §3.1). */
    TLS_NEGOTIATING,
    /** Inside AUTHENTICATE: the next line is a SASL response (RFC 9051 §6.2.2). */
    SASL,
    /** Credentials are being checked and the upstream logged in; input is held in the framer. */
    LOGGING_IN,
    /** Closing, or handed to the relay; input is ignored. */
    CLOSED
  }

  private final ListenerContext context;
  private ClientSession session;
  private State state = State.NOT_AUTHENTICATED;
  private SaslSession sasl;
  private RejectedToken rejectedToken;

  /** A bearer token refused by the gate, waiting for the client's answer to the error challenge. */
  private record RejectedToken(String user, String reason) {}

  private String saslTag;

  /** The upstream the login was routed to, for the scanner's side connection. */
  private UpstreamConnector connector;

  private ScheduledFuture<?> loginDeadline;

  public ImapFrontEnd(ListenerContext context) {
    this.context = context;
  }

  /**
   * Sets up an IMAP session's pipeline: the IMAP framer in place of the line framer the listener
   * added, then this front end.
   */
  public static void install(ChannelPipeline pipeline, ListenerContext context) {
    pipeline.replace(HandlerNames.FRAMER, HandlerNames.FRAMER, newFramer(context));
    pipeline.addLast(HandlerNames.FRONT_END, new ImapFrontEnd(context));
  }

  private static ImapFramer newFramer(ListenerContext context) {
    return new ImapFramer(
        ImapFramer.Settings.preAuth(
            context.limits().preAuthLineLength(), context.limits().preAuthLiteralSize()));
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
    if (context.listener().url().security() != Security.IMPLICIT_TLS) {
      greet(ctx);
    }
    // With implicit TLS the greeting waits for the handshake: its capabilities depend on it
    // (AUTH=EXTERNAL only with a verified client certificate).
    ctx.fireChannelActive();
  }

  private void greet(ChannelHandlerContext ctx) {
    // No product name or version: nothing for a scanner to fingerprint.
    write(
        ctx,
        ImapReply.line(ctx.alloc(), "* OK [CAPABILITY " + capabilities() + "] IMAP gateway ready"));
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
    boolean implicit = !session.tlsActive() && state != State.TLS_NEGOTIATING;
    session.tlsEstablished();
    if (implicit) {
      greet(ctx);
    }
    if (state == State.TLS_NEGOTIATING) {
      // THREATS S3: nothing from before TLS survives; a fresh framer has an empty buffer.
      ctx.pipeline().replace(HandlerNames.FRAMER, HandlerNames.FRAMER, newFramer(context));
      session.resetAfterTls();
      sasl = null;
      state = State.NOT_AUTHENTICATED;
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ImapFrame.LiteralChunk chunk) {
      chunk.content().release(); // only the streaming framer emits chunks; never here
      return;
    }
    switch (state) {
      case CLOSED -> {}
      case LOGGING_IN -> {
        // The framer is paused; only its overflow guard speaks now (THREATS P4).
        if (msg instanceof ImapFrame.TooLong || msg instanceof ImapFrame.Refused) {
          close(ctx);
        }
      }
      case TLS_NEGOTIATING -> starttlsInjection(ctx);
      case SASL -> onSaslResponse(ctx, (ImapFrame) msg);
      case NOT_AUTHENTICATED -> onFrame(ctx, (ImapFrame) msg);
    }
  }

  private void onFrame(ChannelHandlerContext ctx, ImapFrame frame) {
    switch (frame) {
      case ImapFrame.Command c -> dispatch(ctx, ImapCommandParser.parse(c.text()));
      case ImapFrame.LiteralRequest r -> onLiteralRequest(ctx, r);
      case ImapFrame.Refused r -> {
        Optional<ImapCommandParser.Head> head = ImapCommandParser.head(r.soFar());
        if (r.fatal()) {
          closeWith(ctx, ImapReply.BYE_LITERAL);
        } else if (head.isPresent()) {
          bad(ctx, ImapReply.LITERAL_TOO_BIG, head.get().tag());
        } else {
          bad(ctx, ImapReply.UNTAGGED_SYNTAX_ERROR, null);
        }
      }
      case ImapFrame.TooLong t -> {
        if (t.fatal()) {
          closeWith(ctx, ImapReply.BYE_TOO_MANY_ERRORS);
        } else {
          bad(ctx, ImapReply.LINE_TOO_LONG, null);
        }
      }
      case ImapFrame.Segment s -> close(ctx);
      case ImapFrame.LiteralChunk c -> c.content().release();
    }
  }

  /** A synchronizing literal within the pre-auth limit: go ahead only for LOGIN and ID. */
  private void onLiteralRequest(ChannelHandlerContext ctx, ImapFrame.LiteralRequest request) {
    ImapFramer framer = framer(ctx);
    Optional<ImapCommandParser.Head> head = ImapCommandParser.head(request.soFar());
    if (head.isEmpty() || !LITERAL_COMMANDS.contains(head.get().name())) {
      framer.rejectLiteral();
      bad(
          ctx,
          head.isPresent() ? ImapReply.SYNTAX_ERROR : ImapReply.UNTAGGED_SYNTAX_ERROR,
          head.map(ImapCommandParser.Head::tag).orElse(null));
      return;
    }
    if (head.get().name().equals("LOGIN") && !loginAllowed()) {
      framer.rejectLiteral();
      write(ctx, ImapReply.PRIVACY_REQUIRED.toBuf(ctx.alloc(), head.get().tag()));
      return;
    }
    write(ctx, ImapReply.CONTINUE_LITERAL.toBuf(ctx.alloc()));
    framer.acceptLiteral();
  }

  private void dispatch(ChannelHandlerContext ctx, ImapCommand command) {
    switch (command) {
      case ImapCommand.Capability c -> {
        write(ctx, ImapReply.line(ctx.alloc(), "* CAPABILITY " + capabilities()));
        reply(ctx, ImapReply.OK_CAPABILITY, c.tag());
      }
      case ImapCommand.Noop n -> reply(ctx, ImapReply.OK_NOOP, n.tag());
      case ImapCommand.Logout l -> {
        state = State.CLOSED;
        cancelDeadline();
        ctx.write(ImapReply.BYE_LOGOUT.toBuf(ctx.alloc()));
        ctx.writeAndFlush(ImapReply.OK_LOGOUT.toBuf(ctx.alloc(), l.tag()))
            .addListener(ChannelFutureListener.CLOSE);
      }
      case ImapCommand.StartTls s -> startTls(ctx, s.tag());
      case ImapCommand.Login l -> login(ctx, l);
      case ImapCommand.Authenticate a -> authenticate(ctx, a);
      case ImapCommand.Id i -> {
        // RFC 2971 §3.1: the server may answer NIL; what the client said is not kept (S3).
        write(ctx, ImapReply.ID_NIL.toBuf(ctx.alloc()));
        reply(ctx, ImapReply.OK_ID, i.tag());
      }
      case ImapCommand.Other o -> bad(ctx, ImapReply.UNKNOWN_COMMAND, o.tag());
      case ImapCommand.Invalid i ->
          bad(
              ctx,
              i.knownTag().isPresent() ? ImapReply.SYNTAX_ERROR : ImapReply.UNTAGGED_SYNTAX_ERROR,
              i.knownTag().orElse(null));
    }
  }

  private void startTls(ChannelHandlerContext ctx, String tag) {
    if (!canStartTls()) {
      bad(ctx, session.tlsActive() ? ImapReply.TLS_ACTIVE : ImapReply.STARTTLS_UNAVAILABLE, tag);
      return;
    }
    if (framer(ctx).bufferedBytes() > 0) {
      starttlsInjection(ctx);
      return;
    }
    state = State.TLS_NEGOTIATING;
    // The answer leaves in plaintext: it is written through to the socket before TLS is added.
    write(ctx, ImapReply.BEGIN_TLS.toBuf(ctx.alloc(), tag));
    ctx.pipeline().addFirst(HandlerNames.TLS, context.tls().orElseThrow().newHandler(ctx.alloc()));
  }

  /** THREATS S1: bytes pipelined after STARTTLS were sent in plaintext; refuse and close. */
  private void starttlsInjection(ChannelHandlerContext ctx) {
    if (state == State.CLOSED) {
      return;
    }
    context.audit().session(session, "starttls-injection", "bytes-after-starttls");
    if (state == State.TLS_NEGOTIATING) {
      close(ctx);
    } else {
      closeWith(ctx, ImapReply.BYE_STARTTLS_PIPELINED);
    }
  }

  private void login(ChannelHandlerContext ctx, ImapCommand.Login login) {
    if (refuseBeforeTls(ctx, login.tag())) {
      return;
    }
    if (!context.loginGate().passwordLogin()) {
      // auth.mode: bearer — LOGINDISABLED is advertised; tokens only.
      bad(ctx, ImapReply.MECHANISM_UNSUPPORTED, login.tag());
      return;
    }
    String user = utf8(login.user());
    Secret secret;
    try {
      secret = Secret.ofUtf8(login.password().getBytes(StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      authFailed(ctx, login.tag(), user, "LOGIN", "bad-encoding", false);
      return;
    }
    checkLogin(ctx, login.tag(), PasswordCredentials.of(user, secret), "LOGIN");
  }

  private void authenticate(ChannelHandlerContext ctx, ImapCommand.Authenticate auth) {
    if (refuseBeforeTls(ctx, auth.tag())) {
      return;
    }
    Optional<SaslMechanism> mechanism =
        SaslMechanism.byName(auth.mechanism())
            .filter(m -> context.loginGate().saslMechanisms(session).contains(m.saslName()));
    if (mechanism.isEmpty()) {
      bad(ctx, ImapReply.MECHANISM_UNSUPPORTED, auth.tag());
      return;
    }
    saslTag = auth.tag();
    sasl = SaslSession.start(mechanism.get(), context.saslLimits());
    onSaslStep(ctx, sasl.begin(auth.initialResponse()));
  }

  private void onSaslResponse(ChannelHandlerContext ctx, ImapFrame frame) {
    switch (frame) {
      case ImapFrame.Command c -> onSaslStep(ctx, sasl.respond(c.text()));
      case ImapFrame.LiteralRequest r -> {
        // A SASL response is one base64 line, never a literal.
        framer(ctx).rejectLiteral();
        state = State.NOT_AUTHENTICATED;
        authFailed(ctx, saslTag, null, sasl.mechanism().saslName(), "sasl-malformed", false);
      }
      default -> {
        state = State.NOT_AUTHENTICATED;
        authFailed(
            ctx, saslTag, null, sasl.mechanism().saslName(), "sasl-response-too-long", false);
      }
    }
  }

  private void onSaslStep(ChannelHandlerContext ctx, SaslStep step) {
    switch (step) {
      case SaslStep.Challenge c -> {
        state = State.SASL;
        write(
            ctx,
            Unpooled.copiedBuffer(
                "+ " + SaslCodec.encodeChallenge(c.data()) + "\r\n", StandardCharsets.US_ASCII));
      }
      case SaslStep.Done d -> {
        state = State.NOT_AUTHENTICATED;
        checkLogin(ctx, saslTag, d.credentials(), sasl.mechanism().saslName());
      }
      case SaslStep.Failed f -> {
        state = State.NOT_AUTHENTICATED;
        if (rejectedToken != null) {
          RejectedToken rejected = rejectedToken;
          rejectedToken = null;
          authFailed(
              ctx, saslTag, rejected.user(), sasl.mechanism().saslName(), rejected.reason(), false);
        } else if (f.reason().equals("cancelled")) {
          bad(ctx, ImapReply.AUTH_CANCELLED, saslTag);
        } else {
          authFailed(ctx, saslTag, null, sasl.mechanism().saslName(), "sasl-" + f.reason(), false);
        }
      }
    }
  }

  private void checkLogin(
      ChannelHandlerContext ctx, String tag, Credentials credentials, String mechanism) {
    state = State.LOGGING_IN;
    framer(ctx).pause();
    ctx.channel().config().setAutoRead(false);
    LoginSequence.start(
        ctx,
        context,
        new LoginRequest(session, credentials, mechanism),
        new LoginSequence.Protocol<ImapUpstreamLogin.Session>() {
          @Override
          public Future<ImapUpstreamLogin.Session> connect(
              UpstreamConnector upstream, LoginDecision.Proceed proceed) {
            Optional<InetSocketAddress> forward =
                context.limits().imapForwardClientAddress()
                    ? Optional.of(session.source())
                    : Optional.empty();
            connector = upstream;
            return ImapUpstreamLogin.start(upstream, proceed.upstream(), ctx.channel(), forward);
          }

          @Override
          public boolean waiting() {
            return state == State.LOGGING_IN;
          }

          @Override
          public void refuse(String user, String reason, boolean temporary) {
            authFailed(ctx, tag, user, mechanism, reason, temporary);
          }

          @Override
          public void challengeToken(String user, String reason) {
            // The client's (empty) answer to the challenge ends the exchange with the uniform NO.
            rejectedToken = new RejectedToken(user, reason);
            state = State.SASL;
            framer(ctx).resume();
            ctx.channel().config().setAutoRead(true);
            onSaslStep(ctx, sasl.rejectToken(BearerError.invalidToken(), reason));
          }

          @Override
          public void loggedIn(LoginDecision.Proceed proceed, ImapUpstreamLogin.Session up) {
            cancelDeadline();
            write(
                ctx,
                ImapReply.line(
                    ctx.alloc(),
                    tag
                        + " OK [CAPABILITY "
                        + String.join(" ", ImapCapabilities.filter(up.capabilities()))
                        + "] Logged in"));
            startRelay(ctx, up, scannerFor(ctx, proceed));
          }

          @Override
          public void discard(ImapUpstreamLogin.Session up) {
            up.channel().close();
          }
        });
  }

  /** Scan on arrival when the session's policy scans; null when filtering is off for it. */
  private ArrivalScanner scannerFor(ChannelHandlerContext ctx, LoginDecision.Proceed proceed) {
    SessionFilter filter = proceed.filter();
    if (filter == null || !filter.enabled()) {
      return null;
    }
    return ArrivalScanner.forSession(
        context.messageFilter(),
        filter,
        scanSettings(),
        connector,
        proceed.upstream(),
        ctx.channel(),
        context.sideConnections());
  }

  private ArrivalScanner.Settings scanSettings() {
    return new ArrivalScanner.Settings(
        context.filtering().quarantineMailbox(),
        context.filtering().junkMailbox(),
        ArrivalScanner.Settings.DEFAULTS.commandTimeout());
  }

  private void startRelay(
      ChannelHandlerContext ctx, ImapUpstreamLogin.Session up, ArrivalScanner scanner) {
    state = State.CLOSED;
    ImapFramer framer = framer(ctx);
    framer.reconfigure(
        ImapFramer.Settings.postAuth(
            context.limits().postAuthLineLength(), context.limits().postAuthLiteralSize()));
    long idle = context.limits().imapIdleTimeout().toMillis();
    ctx.pipeline()
        .addBefore(
            HandlerNames.FRONT_END,
            HandlerNames.IDLE,
            new IdleStateHandler(idle, 0, 0, TimeUnit.MILLISECONDS));
    ImapRelay relay = new ImapRelay(context, session, up.channel(), framer, scanner);
    ctx.pipeline().replace(this, HandlerNames.RELAY, relay);
    relay.start(ctx.pipeline().context(relay));
    framer.resume();
    ctx.channel().config().setAutoRead(true);
  }

  private void authFailed(
      ChannelHandlerContext ctx,
      String tag,
      String user,
      String mechanism,
      String reason,
      boolean temporary) {
    if (!ctx.channel().isActive() || state == State.CLOSED) {
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
    state = State.NOT_AUTHENTICATED;
    ByteBuf answer =
        (temporary ? ImapReply.UNAVAILABLE : ImapReply.AUTH_FAILED).toBuf(ctx.alloc(), tag);
    if (session.authFailure() >= context.limits().maxAuthAttempts()) {
      ctx.write(answer);
      closeWith(ctx, ImapReply.BYE_TOO_MANY_FAILURES);
      return;
    }
    write(ctx, answer);
    ctx.channel().config().setAutoRead(true);
    framer(ctx).resume();
  }

  /** STARTTLS listeners refuse credentials in plaintext (THREATS S2). */
  private boolean refuseBeforeTls(ChannelHandlerContext ctx, String tag) {
    if (loginAllowed()) {
      return false;
    }
    bad(ctx, ImapReply.PRIVACY_REQUIRED, tag);
    return true;
  }

  /** The capability list before login, for this session's state (THREATS S2). */
  private String capabilities() {
    return ImapCapabilities.beforeLogin(
        loginAllowed(),
        canStartTls(),
        context.loginGate().saslMechanisms(session),
        context.loginGate().passwordLogin());
  }

  private boolean loginAllowed() {
    return tlsActive() || context.listener().url().security() == Security.PLAINTEXT;
  }

  /** On an implicit-TLS listener every byte passes the TLS handler, even before the handshake. */
  private boolean tlsActive() {
    return session.tlsActive() || context.listener().url().security() == Security.IMPLICIT_TLS;
  }

  private boolean canStartTls() {
    return !tlsActive()
        && context.listener().url().security() == Security.STARTTLS
        && context.tls().isPresent();
  }

  /** Answers a refused command, closing after too many (THREATS P7). */
  private void bad(ChannelHandlerContext ctx, ImapReply reply, String tag) {
    if (session.badCommand() > context.limits().maxBadCommands()) {
      context.audit().session(session, "too-many-errors", "bad-commands");
      closeWith(ctx, ImapReply.BYE_TOO_MANY_ERRORS);
      return;
    }
    write(ctx, tag == null ? reply.toBuf(ctx.alloc()) : reply.toBuf(ctx.alloc(), tag));
  }

  private void loginTimedOut(ChannelHandlerContext ctx) {
    if (state == State.CLOSED || !ctx.channel().isActive()) {
      return;
    }
    context.audit().session(session, "login-timeout", "login-deadline");
    closeWith(ctx, ImapReply.BYE_LOGIN_TIMEOUT);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("session {} closed after {}", session.id(), cause.getClass().getSimpleName());
    close(ctx);
  }

  private void closeWith(ChannelHandlerContext ctx, ImapReply bye) {
    state = State.CLOSED;
    cancelDeadline();
    ctx.writeAndFlush(bye.toBuf(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
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

  private void reply(ChannelHandlerContext ctx, ImapReply reply, String tag) {
    write(ctx, reply.toBuf(ctx.alloc(), tag));
  }

  private static void write(ChannelHandlerContext ctx, ByteBuf buf) {
    ctx.writeAndFlush(buf);
  }

  private static ImapFramer framer(ChannelHandlerContext ctx) {
    return (ImapFramer) ctx.pipeline().get(HandlerNames.FRAMER);
  }

  private static String utf8(String isoLatin1Bytes) {
    return new String(isoLatin1Bytes.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  /** The current state, for tests. */
  State state() {
    return state;
  }
}
