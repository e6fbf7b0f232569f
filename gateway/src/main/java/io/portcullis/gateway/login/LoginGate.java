package io.portcullis.gateway.login;

import java.util.concurrent.CompletionStage;

/**
 * Decides whether a client may proceed to the upstream and with which credentials. Implementations
 * never block the calling event loop: slow work (password hashing, token validation) completes the
 * stage from another thread. Thread-safe.
 */
public interface LoginGate {
  CompletionStage<LoginDecision> check(LoginRequest request);
}
