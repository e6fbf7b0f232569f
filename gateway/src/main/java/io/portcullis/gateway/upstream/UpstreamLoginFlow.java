package io.portcullis.gateway.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.auth.oauth.AccessToken;
import io.portcullis.auth.oauth.OAuthException;
import io.portcullis.gateway.codec.LineFramer;
import io.portcullis.gateway.server.HandlerNames;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * What every upstream login flow shares (STYLE 7): the connection on the client's event loop, an
 * absolute deadline, the implicit-TLS and STARTTLS handshakes — refusing bytes pipelined behind the
 * STARTTLS answer and starting again with an empty framer after it (THREATS C3, C4, C7) — and
 * finishing exactly once, with a logged-in session or an {@link UpstreamException}. Subclasses are
 * the protocol's steps. Confined to the upstream channel's event loop.
 *
 * @param <S> the logged-in session the flow produces
 */
abstract class UpstreamLoginFlow<S> extends ChannelInboundHandlerAdapter {
  final UpstreamConnector connector;
  private final Promise<S> result;
  private ScheduledFuture<?> deadline;
  private boolean finished;
  private boolean startTlsPending;

  UpstreamLoginFlow(UpstreamConnector connector, Promise<S> result) {
    this.connector = connector;
    this.result = result;
  }

  /**
   * Obtains the credentials to send (a token is asked for off the event loop, and the flow goes on
   * on {@code client}'s event loop when it arrives), then connects on {@code client}'s event loop
   * and installs a line framer and the flow {@code create} makes. Credentials no line protocol can
   * carry are refused before any connection is made (THREATS A3).
   */
  static <S> Future<S> start(
      UpstreamConnector connector,
      UpstreamCredentials credentials,
      Channel client,
      BiFunction<UpstreamLogin, Promise<S>, UpstreamLoginFlow<S>> create) {
    Promise<S> result = client.eventLoop().newPromise();
    switch (credentials) {
      case UpstreamCredentials.Password p -> {
        if (!p.lineSafe()) {
          result.setFailure(new UpstreamException(UpstreamFailure.UNSENDABLE_CREDENTIALS, null));
        } else {
          connect(
              connector,
              new UpstreamLogin.Password(p.user(), p.password()),
              client,
              create,
              result);
        }
      }
      case UpstreamCredentials.OAuth o -> {
        CompletionStage<AccessToken> token;
        try {
          token = o.tokens().get();
        } catch (RuntimeException e) {
          token = CompletableFuture.failedFuture(e);
        }
        token.whenComplete(
            (t, error) ->
                client
                    .eventLoop()
                    .execute(
                        () -> {
                          if (error != null) {
                            result.tryFailure(tokenFailure(o, error));
                            return;
                          }
                          UpstreamLogin.Bearer bearer =
                              new UpstreamLogin.Bearer(o.user(), t, o.tokens());
                          if (!bearer.sendable()) {
                            result.tryFailure(
                                new UpstreamException(
                                    UpstreamFailure.UNSENDABLE_CREDENTIALS, "token characters"));
                            return;
                          }
                          connect(connector, bearer, client, create, result);
                        }));
      }
    }
    return result;
  }

  private static UpstreamException tokenFailure(UpstreamCredentials.OAuth o, Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof OAuthException e) {
      return new UpstreamException(UpstreamFailure.of(e.kind()), "account " + o.account());
    }
    return new UpstreamException(
        UpstreamFailure.OAUTH_UNAVAILABLE,
        "account " + o.account() + ": " + cause.getClass().getSimpleName());
  }

  private static <S> void connect(
      UpstreamConnector connector,
      UpstreamLogin login,
      Channel client,
      BiFunction<UpstreamLogin, Promise<S>, UpstreamLoginFlow<S>> create,
      Promise<S> result) {
    if (result.isDone()) {
      return;
    }
    connector
        .connect(client.eventLoop())
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    result.tryFailure(
                        new UpstreamException(
                            UpstreamConnector.classifyConnect(f.cause()),
                            f.cause().getClass().getSimpleName()));
                    return;
                  }
                  f.channel()
                      .pipeline()
                      .addLast(HandlerNames.FRAMER, newFramer(connector))
                      .addLast(HandlerNames.UPSTREAM_LOGIN, create.apply(login, result));
                });
  }

  /** Where the flow stands, for failure details in the audit log. */
  abstract String step();

  /** The implicit-TLS handshake succeeded: the greeting comes next. */
  abstract void implicitTlsReady(ChannelHandlerContext ctx);

  /** The STARTTLS handshake succeeded: ask for the capabilities again (THREATS C4). */
  abstract void startTlsReady(ChannelHandlerContext ctx);

  /** Whether the flow has ended; nothing more is read then. */
  final boolean finished() {
    return finished;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline =
        ctx.executor()
            .schedule(
                () -> fail(ctx, UpstreamFailure.TIMEOUT, "step " + step()),
                connector.limits().upstreamLoginTimeout().toMillis(),
                TimeUnit.MILLISECONDS);
    if (!ctx.channel().isActive()) {
      fail(ctx, UpstreamFailure.CLOSED, "before login");
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (!(evt instanceof SslHandshakeCompletionEvent handshake)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (!handshake.isSuccess()) {
      // THREATS C7: an upstream whose identity does not check out never sees a credential.
      fail(ctx, UpstreamConnector.classifyTls(handshake.cause()), null);
      return;
    }
    if (startTlsPending) {
      startTlsPending = false;
      ctx.pipeline().replace(HandlerNames.FRAMER, HandlerNames.FRAMER, newFramer(connector));
      startTlsReady(ctx);
    } else {
      implicitTlsReady(ctx);
    }
  }

  /** After a positive STLS/STARTTLS answer: TLS, unless bytes followed the answer (THREATS C3). */
  final void startTls(ChannelHandlerContext ctx) {
    int buffered = framer(ctx).bufferedBytes();
    if (buffered > 0) {
      fail(ctx, UpstreamFailure.STARTTLS_INJECTION, buffered + " bytes");
      return;
    }
    startTlsPending = true;
    ctx.pipeline().addFirst(HandlerNames.TLS, connector.newTlsHandler(ctx.alloc()));
  }

  /** Hands the logged-in session over: reading stops, the framer and this flow leave. */
  final void ready(ChannelHandlerContext ctx, S session) {
    if (framer(ctx).bufferedBytes() > 0) {
      // Nothing may follow the answer to our own command: the relay starts from a clean stream.
      fail(ctx, UpstreamFailure.PROTOCOL, "data after login");
      return;
    }
    finished = true;
    deadline.cancel(false);
    ctx.channel().config().setAutoRead(false);
    ctx.pipeline().remove(HandlerNames.FRAMER);
    ctx.pipeline().remove(this);
    result.trySuccess(session);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    fail(ctx, UpstreamFailure.CLOSED, "during " + step());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    fail(ctx, UpstreamFailure.CLOSED, cause.getClass().getSimpleName());
  }

  /** Ends the flow with {@code failure} and closes the connection; later calls do nothing. */
  final void fail(ChannelHandlerContext ctx, UpstreamFailure failure, String detail) {
    if (finished) {
      return;
    }
    finished = true;
    if (deadline != null) {
      deadline.cancel(false);
    }
    result.tryFailure(new UpstreamException(failure, detail));
    ctx.channel().close();
  }

  private static LineFramer framer(ChannelHandlerContext ctx) {
    return (LineFramer) ctx.pipeline().get(HandlerNames.FRAMER);
  }

  private static LineFramer newFramer(UpstreamConnector connector) {
    return new LineFramer(connector.limits().upstreamLineLength());
  }
}
