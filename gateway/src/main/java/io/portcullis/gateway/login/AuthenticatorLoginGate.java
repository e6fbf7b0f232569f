package io.portcullis.gateway.login;

import io.portcullis.auth.AuthRequest;
import io.portcullis.auth.AuthResult;
import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.Authenticator;
import io.portcullis.auth.UpstreamCredential;
import io.portcullis.auth.directory.UpstreamMapping;
import io.portcullis.auth.directory.UserRecord;
import io.portcullis.auth.oauth.OAuthAccount;
import io.portcullis.auth.oauth.OAuthBroker;
import io.portcullis.auth.oauth.OAuthException;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.tls.ClientCertificateMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The login gate backed by the auth-2fa {@link Authenticator}: pass-through, local directory or
 * bearer tokens, always behind brute-force throttling. It turns the authenticator's upstream
 * credential into what the gateway sends: a password (the client's or a mapped one), the client's
 * own bearer token, or the OAuth broker's token for the user's account — asked for here, off the
 * event loop, so that a revoked or unreachable grant is refused before any upstream connection with
 * a reason that names the account. Thread-safe.
 */
public final class AuthenticatorLoginGate implements LoginGate {
  private final Authenticator authenticator;
  private final Optional<OAuthBroker> broker;
  private final List<String> mechanisms;
  private final boolean passthrough;

  public AuthenticatorLoginGate(Authenticator authenticator, AuthSettings settings) {
    this(authenticator, settings, Optional.empty());
  }

  /**
   * @param broker the OAuth broker for users mapped to an OAuth account; without one they are
   *     refused ({@code oauth-not-configured})
   */
  public AuthenticatorLoginGate(
      Authenticator authenticator, AuthSettings settings, Optional<OAuthBroker> broker) {
    this.authenticator = authenticator;
    this.broker = broker;
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
    return authenticator.authenticate(toAuthRequest(request)).thenCompose(this::decide);
  }

  private CompletionStage<LoginDecision> decide(AuthResult result) {
    return switch (result) {
      case AuthResult.Success s ->
          switch (s.upstream()) {
            case UpstreamCredential.Password p ->
                done(
                    proceed(
                        s,
                        new UpstreamCredentials.Password(
                            p.user(),
                            p.password().reveal(),
                            passwordSource(s.principal().user()))));
            case UpstreamCredential.Bearer b ->
                done(proceed(s, UpstreamCredentials.OAuth.client(b.user(), b.token().reveal())));
            case UpstreamCredential.OAuthAccount o -> brokered(s, o);
            case UpstreamCredential.None n ->
                done(new LoginDecision.Refuse("no-upstream-credential", false, Duration.ZERO));
          };
      case AuthResult.Failure f -> done(new LoginDecision.Refuse(f.reason(), false, f.delay()));
      case AuthResult.Unavailable u ->
          done(new LoginDecision.Refuse(u.reason(), true, Duration.ZERO));
    };
  }

  /**
   * The broker's token for the user's account, fetched now so that a dead grant fails before any
   * upstream connection; the flow asks again (a cache hit) when it connects.
   */
  private CompletionStage<LoginDecision> brokered(
      AuthResult.Success s, UpstreamCredential.OAuthAccount mapping) {
    String account = mapping.account();
    if (broker.isEmpty()) {
      return done(
          new LoginDecision.Refuse("oauth-not-configured:" + account, false, Duration.ZERO));
    }
    Optional<OAuthAccount> configured = broker.get().settings().account(account);
    if (configured.isEmpty()) {
      return done(
          new LoginDecision.Refuse(
              OAuthException.Kind.UNKNOWN_ACCOUNT.code() + ":" + account, false, Duration.ZERO));
    }
    UpstreamCredentials credentials =
        UpstreamCredentials.OAuth.broker(broker.get(), account, configured.get().loginUser());
    return broker
        .get()
        .accessToken(account)
        .handle(
            (token, error) -> {
              if (error == null) {
                return proceed(s, credentials);
              }
              Throwable cause =
                  error instanceof CompletionException && error.getCause() != null
                      ? error.getCause()
                      : error;
              OAuthException.Kind kind =
                  cause instanceof OAuthException e ? e.kind() : OAuthException.Kind.UNAVAILABLE;
              return new LoginDecision.Refuse(
                  kind.code() + ":" + account, kind.temporary(), Duration.ZERO);
            });
  }

  private static LoginDecision proceed(AuthResult.Success s, UpstreamCredentials credentials) {
    return new LoginDecision.Proceed(
        s.principal().user(),
        credentials,
        s.principal().groups(),
        s.principal().factors(),
        UpstreamConfig.DEFAULT_NAME);
  }

  /** A password is mapped when the directory holds a sealed one for the user, else the client's. */
  private UpstreamCredentials.Source passwordSource(String user) {
    boolean mapped =
        authenticator
            .directory()
            .flatMap(d -> d.find(user))
            .flatMap(UserRecord::upstream)
            .flatMap(UpstreamMapping::sealedPassword)
            .isPresent();
    return mapped ? UpstreamCredentials.Source.MAPPED : UpstreamCredentials.Source.CLIENT;
  }

  private static CompletionStage<LoginDecision> done(LoginDecision decision) {
    return CompletableFuture.completedFuture(decision);
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
        request.session().peerCertificate().flatMap(mapper(request.session())::userFor),
        request.secondFactor());
  }
}
