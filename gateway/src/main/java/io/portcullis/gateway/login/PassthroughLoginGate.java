package io.portcullis.gateway.login;

import io.portcullis.auth.Credentials;
import io.portcullis.auth.PasswordCredentials;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code auth.mode: passthrough}: the upstream decides; the client's own user name and password are
 * forwarded. Only password credentials can be forwarded; anything else is refused. Thread-safe.
 */
public final class PassthroughLoginGate implements LoginGate {

  @Override
  public CompletionStage<LoginDecision> check(LoginRequest request) {
    Credentials credentials = request.credentials();
    if (!(credentials instanceof PasswordCredentials password)) {
      return CompletableFuture.completedFuture(
          new LoginDecision.Refuse("mechanism-not-forwardable", false, Duration.ZERO));
    }
    if (!password.authzid().isEmpty() && !password.authzid().equals(password.user())) {
      // Acting as another user is the upstream's business only through an explicit mapping.
      return CompletableFuture.completedFuture(
          new LoginDecision.Refuse("authzid-not-allowed", false, Duration.ZERO));
    }
    return CompletableFuture.completedFuture(
        new LoginDecision.Proceed(
            password.user(),
            new UpstreamCredentials(password.user(), password.password().reveal())));
  }
}
