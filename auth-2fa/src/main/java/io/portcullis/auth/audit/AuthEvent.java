package io.portcullis.auth.audit;

import io.portcullis.auth.AuthRequest;
import io.portcullis.auth.AuthResult;
import io.portcullis.auth.BearerCredentials;
import io.portcullis.auth.Factor;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One audit record: a login attempt or an administrative change to a user's credentials. It has no
 * field that could hold a secret, by construction. Immutable.
 *
 * @param time when it happened
 * @param type what happened
 * @param sessionId the gateway's session id, empty for CLI changes
 * @param source client address, empty for CLI changes
 * @param protocol {@code imap}, {@code pop3}, or {@code cli}
 * @param user the user name as claimed (login) or changed (CLI)
 * @param mechanism {@code password}, a SASL mechanism, or the CLI command
 * @param factors factors verified (success only)
 * @param outcome success, failure or unavailable
 * @param reason audit reason code, empty on success
 * @param throttleDelay the delay applied to the answer
 */
public record AuthEvent(
    Instant time,
    Type type,
    String sessionId,
    String source,
    String protocol,
    String user,
    String mechanism,
    Set<Factor> factors,
    Outcome outcome,
    String reason,
    Duration throttleDelay) {

  /** The kind of event. */
  public enum Type {
    LOGIN,
    USER_ADDED,
    USER_REMOVED,
    PASSWORD_CHANGED,
    TOTP_ENROLMENT_STARTED,
    TOTP_CONFIRMED,
    TOTP_REMOVED,
    APP_PASSWORD_ADDED,
    APP_PASSWORD_REVOKED,
    UPSTREAM_MAPPED
  }

  /** How it ended. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    UNAVAILABLE
  }

  public AuthEvent {
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(mechanism, "mechanism");
    factors = Set.copyOf(factors);
    Objects.requireNonNull(outcome, "outcome");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(throttleDelay, "throttleDelay");
  }

  /** The audit record of a login attempt and its result. */
  public static AuthEvent login(
      Instant time, String sessionId, AuthRequest request, AuthResult result) {
    String mechanism =
        request.credentials() instanceof BearerCredentials b
            ? b.mechanism().saslName()
            : "password";
    return switch (result) {
      case AuthResult.Success s ->
          new AuthEvent(
              time,
              Type.LOGIN,
              sessionId,
              request.source().getHostAddress(),
              request.protocol(),
              s.principal().user(),
              s.principal().mechanism(),
              s.principal().factors(),
              Outcome.SUCCESS,
              "",
              Duration.ZERO);
      case AuthResult.Failure f ->
          new AuthEvent(
              time,
              Type.LOGIN,
              sessionId,
              request.source().getHostAddress(),
              request.protocol(),
              request.credentials().user(),
              mechanism,
              Set.of(),
              Outcome.FAILURE,
              f.reason(),
              f.delay());
      case AuthResult.Unavailable u ->
          new AuthEvent(
              time,
              Type.LOGIN,
              sessionId,
              request.source().getHostAddress(),
              request.protocol(),
              request.credentials().user(),
              mechanism,
              Set.of(),
              Outcome.UNAVAILABLE,
              u.reason(),
              Duration.ZERO);
    };
  }

  /** The audit record of an administrative change made with the CLI. */
  public static AuthEvent admin(Instant time, Type type, String user, String detail) {
    return new AuthEvent(
        time, type, "", "", "cli", user, detail, Set.of(), Outcome.SUCCESS, "", Duration.ZERO);
  }
}
