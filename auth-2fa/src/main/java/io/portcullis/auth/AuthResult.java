package io.portcullis.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * The outcome of {@link Authenticator#authenticate}. The text a client sees is the same for every
 * {@link Failure} (the gateway chooses it); reason codes are for the audit log only.
 */
public sealed interface AuthResult {
  /**
   * Authenticated.
   *
   * @param principal who, and with which factors
   * @param upstream what to log in upstream with
   */
  record Success(Principal principal, UpstreamCredential upstream) implements AuthResult {
    public Success {
      Objects.requireNonNull(principal, "principal");
      Objects.requireNonNull(upstream, "upstream");
    }
  }

  /**
   * Refused.
   *
   * @param reason audit code: {@code unknown-user}, {@code bad-password}, {@code bad-otp}, {@code
   *     otp-replay}, {@code second-factor-missing}, {@code throttled}, {@code blocked}, a bearer
   *     reason ({@code token-expired} ...), {@code mechanism-not-allowed} ...
   * @param delay how long the gateway waits before answering (throttling); nothing sleeps here
   */
  record Failure(String reason, Duration delay) implements AuthResult {
    public Failure {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /**
   * Could not decide (hashing queue full, identity provider unreachable, key missing): a temporary
   * failure ({@code [UNAVAILABLE]}, {@code -ERR [SYS/TEMP]}).
   *
   * @param reason audit code
   */
  record Unavailable(String reason) implements AuthResult {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
