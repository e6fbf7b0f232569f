package io.portcullis.auth.sasl;

import java.util.Objects;
import java.util.Optional;

/**
 * One server-side SASL exchange (RFC 4422 §3): decodes client lines with {@link SaslCodec}, drives
 * the mechanism, and for bearer mechanisms runs the error challenge and its acknowledgement (RFC
 * 7628 §3.2.3). Pure, no I/O; one instance per AUTHENTICATE / AUTH command. Not thread-safe.
 */
public final class SaslSession {
  private enum State {
    /** Nothing received yet. */
    NEW,
    /** Challenges sent, waiting for the next client response. */
    EXCHANGING,
    /** Credentials produced; the gateway verifies them. */
    DONE,
    /** Error challenge sent; the client must answer with one empty response (%x01 or empty). */
    AWAITING_ERROR_ACK,
    /** Failed or acknowledged; nothing more is accepted. */
    FINISHED
  }

  private final SaslMechanism mechanism;
  private final int maxResponseBytes;
  private final Exchange exchange;
  private State state = State.NEW;
  private String pendingReason = "";

  private SaslSession(SaslMechanism mechanism, SaslLimits limits) {
    this.mechanism = mechanism;
    this.maxResponseBytes = limits.responseLimit(mechanism);
    this.exchange =
        switch (mechanism) {
          case PLAIN -> new PlainExchange();
          case LOGIN -> new LoginExchange();
          case XOAUTH2 -> new XOAuth2Exchange(limits.maxTokenBytes());
          case OAUTHBEARER -> new OAuthBearerExchange(limits.maxTokenBytes());
          case EXTERNAL -> new ExternalExchange();
        };
  }

  /** A new exchange for {@code mechanism}. */
  public static SaslSession start(SaslMechanism mechanism, SaslLimits limits) {
    return new SaslSession(
        Objects.requireNonNull(mechanism, "mechanism"), Objects.requireNonNull(limits, "limits"));
  }

  public SaslMechanism mechanism() {
    return mechanism;
  }

  /**
   * Starts the exchange, with the initial response from the command line if the client sent one
   * ({@code =} meaning an empty one, RFC 4959 §3).
   */
  public SaslStep begin(Optional<String> initialResponse) {
    if (state != State.NEW) {
      throw new IllegalStateException("exchange already started");
    }
    state = State.EXCHANGING;
    if (initialResponse.isEmpty()) {
      return exchange.start();
    }
    return feed(SaslCodec.decodeInitial(initialResponse.get(), maxResponseBytes));
  }

  /** Feeds one continuation line from the client (without CRLF). */
  public SaslStep respond(String line) {
    return switch (state) {
      case NEW -> throw new IllegalStateException("begin() first");
      case EXCHANGING -> feed(SaslCodec.decodeResponse(line, maxResponseBytes));
      case AWAITING_ERROR_ACK -> {
        // RFC 7628 §3.2.3: whatever the client answers, the exchange now fails.
        state = State.FINISHED;
        yield new SaslStep.Failed(line.equals("*") ? "cancelled" : pendingReason);
      }
      case DONE, FINISHED -> {
        state = State.FINISHED;
        yield new SaslStep.Failed("unexpected-response");
      }
    };
  }

  /**
   * After {@link SaslStep.Done} with a bearer mechanism whose token was refused: the JSON error
   * challenge to send. The client's next response ends the exchange with {@code Failed(reason)}.
   *
   * @throws IllegalStateException if the exchange is not done or the mechanism is not a bearer one
   */
  public SaslStep.Challenge rejectToken(BearerError error, String reason) {
    if (state != State.DONE || !mechanism.isBearer()) {
      throw new IllegalStateException("no bearer token to reject");
    }
    state = State.AWAITING_ERROR_ACK;
    pendingReason = reason;
    return new SaslStep.Challenge(
        mechanism == SaslMechanism.OAUTHBEARER ? error.oauthBearerJson() : error.xoauth2Json());
  }

  private SaslStep feed(SaslCodec.Decoded decoded) {
    SaslStep step =
        switch (decoded) {
          case SaslCodec.Decoded.Cancel c -> new SaslStep.Failed("cancelled");
          case SaslCodec.Decoded.Malformed m -> new SaslStep.Failed(m.reason());
          case SaslCodec.Decoded.Data d -> exchange.respond(d.bytes());
        };
    switch (step) {
      case SaslStep.Done d -> state = State.DONE;
      case SaslStep.Failed f when mechanism == SaslMechanism.OAUTHBEARER && isSyntax(f) -> {
        // RFC 7628 §3.2.2: a server that cannot use the message answers with an error challenge.
        state = State.AWAITING_ERROR_ACK;
        pendingReason = f.reason();
        return new SaslStep.Challenge(new BearerError("invalid_request", "", "").oauthBearerJson());
      }
      case SaslStep.Failed f -> state = State.FINISHED;
      case SaslStep.Challenge c -> state = State.EXCHANGING;
    }
    return step;
  }

  private static boolean isSyntax(SaslStep.Failed failed) {
    return failed.reason().equals("malformed") || failed.reason().equals("token-too-long");
  }
}
