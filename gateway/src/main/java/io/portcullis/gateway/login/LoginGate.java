package io.portcullis.gateway.login;

import io.portcullis.gateway.session.ClientSession;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may proceed to the upstream and with which credentials. Implementations
 * never block the calling event loop: slow work (password hashing, token validation) completes the
 * stage from another thread. Thread-safe.
 */
public interface LoginGate {
  CompletionStage<LoginDecision> check(LoginRequest request);

  /**
   * The upstream refused credentials this gate let through (pass-through mode): counts as a failed
   * attempt for throttling.
   *
   * @return how long to wait before answering the client
   */
  Duration upstreamRejected(LoginRequest request);

  /** The upstream accepted credentials this gate let through: resets throttling for them. */
  void upstreamAccepted(LoginRequest request);

  /**
   * SASL mechanisms to advertise and accept for this session, in preference order: EXTERNAL only
   * when the session carries a verified client certificate.
   */
  List<String> saslMechanisms(ClientSession session);

  /** Whether user name + password logins (POP3 USER/PASS, IMAP LOGIN) are accepted. */
  boolean passwordLogin();
}
