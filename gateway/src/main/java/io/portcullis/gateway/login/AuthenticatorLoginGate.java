package io.portcullis.gateway.login;

import io.portcullis.auth.AuthRequest;
import io.portcullis.auth.AuthResult;
import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.Authenticator;
import io.portcullis.auth.UpstreamCredential;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.tls.ClientCertificateMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The login gate backed by the auth-2fa {@link Authenticator}: pass-through, local directory or
 * bearer tokens, always behind brute-force throttling. Thread-safe.
 */
public final class AuthenticatorLoginGate implements LoginGate {
  private final Authenticator authenticator;
  private final List<String> mechanisms;
  private final boolean passthrough;

  public AuthenticatorLoginGate(Authenticator authenticator, AuthSettings settings) {
    this.authenticator = authenticator;
    // Only forwarded credentials make the upstream's verdict the client's; a mapped password
    // refused upstream is a configuration problem, not a guess.
    this.passthrough = settings.mode() == AuthSettings.Mode.PASSTHROUGH;
    List<String> m = new ArrayList<>();
    if (settings.mode() != AuthSettings.Mode.BEARER) {
      m.add("PLAIN");
      m.add("LOGIN");
    }
    if (settings.bearer().isPresent()) {
      m.add("OAUTHBEARER");
      m.add("XOAUTH2");
    }
    this.mechanisms = List.copyOf(m);
  }

  @Override
  public CompletionStage<LoginDecision> check(LoginRequest request) {
    return authenticator.authenticate(toAuthRequest(request)).thenApply(this::decide);
  }

  private LoginDecision decide(AuthResult result) {
    return switch (result) {
      case AuthResult.Success s ->
          switch (s.upstream()) {
            case UpstreamCredential.Password p ->
                new LoginDecision.Proceed(
                    s.principal().user(),
                    new UpstreamCredentials(p.user(), p.password().reveal()),
                    s.principal().groups(),
                    s.principal().factors(),
                    UpstreamConfig.DEFAULT_NAME);
            // Upstream XOAUTH2 (the client's token or the broker's) arrives with the broker.
            case UpstreamCredential.Bearer b ->
                new LoginDecision.Refuse("upstream-bearer-unsupported", true, Duration.ZERO);
            case UpstreamCredential.OAuthAccount o ->
                new LoginDecision.Refuse("upstream-oauth-unsupported", true, Duration.ZERO);
            case UpstreamCredential.None n ->
                new LoginDecision.Refuse("no-upstream-credential", false, Duration.ZERO);
          };
      case AuthResult.Failure f -> new LoginDecision.Refuse(f.reason(), false, f.delay());
      case AuthResult.Unavailable u -> new LoginDecision.Refuse(u.reason(), true, Duration.ZERO);
    };
  }

  @Override
  public Duration upstreamRejected(LoginRequest request) {
    return passthrough
        ? authenticator.recordUpstreamFailure(toAuthRequest(request))
        : Duration.ZERO;
  }

  @Override
  public void upstreamAccepted(LoginRequest request) {
    if (passthrough) {
      authenticator.recordUpstreamSuccess(toAuthRequest(request));
    }
  }

  @Override
  public List<String> saslMechanisms(ClientSession session) {
    if (passthrough || session.peerCertificate().isEmpty()) {
      return mechanisms;
    }
    // RFC 4422 appendix A: the identity comes from the verified TLS client certificate.
    List<String> withExternal = new ArrayList<>(mechanisms);
    withExternal.add("EXTERNAL");
    return withExternal;
  }

  @Override
  public boolean passwordLogin() {
    return mechanisms.contains("PLAIN");
  }

  /** How the listener names a certificate's user: the whole address, or a local part. */
  private static ClientCertificateMapper mapper(ClientSession session) {
    String domain = session.listener().tls().clientUserDomain();
    return domain == null
        ? ClientCertificateMapper.byEmailAddress()
        : ClientCertificateMapper.byLocalPartIn(domain);
  }

  private static AuthRequest toAuthRequest(LoginRequest request) {
    return new AuthRequest(
        request.credentials(),
        request.session().sourceAddress(),
        request.session().listener().url().protocol().scheme(),
        request.session().tlsActive(),
        request.session().peerCertificate().flatMap(mapper(request.session())::userFor));
  }
}
