package io.portcullis.gateway.server;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import io.portcullis.auth.sasl.SaslMechanism;
import io.portcullis.gateway.audit.AuditLog.Outcome;
import io.portcullis.gateway.login.LoginDecision;
import io.portcullis.gateway.login.LoginRequest;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.gateway.upstream.UpstreamException;
import io.portcullis.gateway.upstream.UpstreamFailure;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One login, from decoded credentials to a logged-in upstream, the same for POP3 and IMAP: ask the
 * login gate, wait out its throttling delay, follow the policy's route, run the protocol's upstream
 * flow, and tell the gate how the upstream answered. The front end supplies only what differs per
 * protocol. Confined to the client channel's event loop.
 *
 * @param <S> the protocol's logged-in upstream session
 */
public final class LoginSequence<S> {
  private static final Logger LOG = LoggerFactory.getLogger(LoginSequence.class);

  /** What a protocol front end does at each end of the sequence. */
  public interface Protocol<S> {
    /** Starts the protocol's upstream login flow on the client's event loop. */
    Future<S> connect(UpstreamConnector upstream, LoginDecision.Proceed proceed);

    /** Whether the front end still waits for this login (not closed, not timed out). */
    boolean waiting();

    /** Answers with the uniform failure, or the temporary one; audits it. */
    void refuse(String user, String reason, boolean temporary);

    /** A bearer token was refused: send the RFC 7628 error challenge (§3.2.2). */
    void challengeToken(String user, String reason);

    /** Logged in: answer the client and hand the session to the relay. */
    void loggedIn(LoginDecision.Proceed proceed, S upstream);

    /** Closes an upstream session that nobody waits for any more. */
    void discard(S upstream);
  }

  private final ChannelHandlerContext ctx;
  private final ListenerContext context;
  private final LoginRequest request;
  private final Protocol<S> protocol;

  private LoginSequence(
      ChannelHandlerContext ctx,
      ListenerContext context,
      LoginRequest request,
      Protocol<S> protocol) {
    this.ctx = ctx;
    this.context = context;
    this.request = request;
    this.protocol = protocol;
  }

  /**
   * Runs the sequence. The caller has stopped reading the client; the credentials are destroyed
   * once the gate has decided.
   */
  public static <S> void start(
      ChannelHandlerContext ctx,
      ListenerContext context,
      LoginRequest request,
      Protocol<S> protocol) {
    new LoginSequence<>(ctx, context, request, protocol).check();
  }

  private void check() {
    String user = request.credentials().user();
    context
        .loginGate()
        .check(request)
        .whenComplete(
            (decision, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          request.credentials().destroy();
                          if (error != null) {
                            LOG.warn("login check failed: {}", error.getClass().getSimpleName());
                            protocol.refuse(user, "internal-error", true);
                          } else if (protocol.waiting()) {
                            decided(decision);
                          }
                        }));
  }

  private void decided(LoginDecision decision) {
    String user = request.credentials().user();
    switch (decision) {
      case LoginDecision.Refuse r when isBearer(request.mechanism()) ->
          later(r.delay().toMillis(), () -> protocol.challengeToken(user, r.reason()));
      case LoginDecision.Refuse r ->
          later(r.delay().toMillis(), () -> protocol.refuse(user, r.reason(), r.temporary()));
      case LoginDecision.Proceed p -> {
        Optional<UpstreamConnector> upstream = context.upstream(p.route());
        if (upstream.isEmpty()) {
          protocol.refuse(p.user(), "upstream-not-configured:" + p.route(), true);
          return;
        }
        protocol.connect(upstream.get(), p).addListener((Future<S> f) -> upstreamDone(p, f));
      }
    }
  }

  private void upstreamDone(LoginDecision.Proceed proceed, Future<S> upstream) {
    if (!upstream.isSuccess()) {
      UpstreamFailure failure =
          upstream.cause() instanceof UpstreamException e ? e.failure() : UpstreamFailure.CLOSED;
      // A refusal by the upstream is a failed guess like any other (THREATS A6).
      long delay =
          failure == UpstreamFailure.REJECTED
              ? context.loginGate().upstreamRejected(request).toMillis()
              : 0;
      later(delay, () -> protocol.refuse(proceed.user(), failure.code(), failure.temporary()));
      return;
    }
    S session = upstream.getNow();
    if (!protocol.waiting() || !ctx.channel().isActive()) {
      protocol.discard(session);
      return;
    }
    context.loginGate().upstreamAccepted(request);
    request.session().authenticated(proceed.user());
    context
        .audit()
        .login(request.session(), proceed.user(), request.mechanism(), Outcome.SUCCESS, "ok");
    protocol.loggedIn(proceed, session);
  }

  private void later(long millis, Runnable action) {
    ctx.executor().schedule(action, millis, TimeUnit.MILLISECONDS);
  }

  private static boolean isBearer(String mechanism) {
    return SaslMechanism.byName(mechanism).map(SaslMechanism::isBearer).orElse(false);
  }
}
