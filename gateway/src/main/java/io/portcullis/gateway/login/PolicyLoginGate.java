package io.portcullis.gateway.login;

import io.portcullis.auth.Factor;
import io.portcullis.auth.PasswordCredentials;
import io.portcullis.auth.SecondFactorRequirement;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.policy.AccessDecision;
import io.portcullis.policy.CredentialMode;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.RoutingDecision;
import io.portcullis.policy.SecondFactor;
import io.portcullis.policy.SessionFacts;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Applies the policy's access decision (docs/policies.md) to a login the authenticator accepted:
 * deny, allowed mechanisms, a required second factor, app passwords. It decides after
 * authentication, so a denied login costs the same time as a wrong password and reads the same to
 * the client. Monitor-mode rules are written to the audit log and change nothing. The route's
 * credential mode is enforced: {@code mapped} needs the user's sealed upstream password, {@code
 * oauth2} the user's OAuth account; anything else is refused with a reason that says what is
 * missing. {@code passthrough} (the default) sends what the user's directory entry says: the
 * client's own credentials, or the user's mapping where there is one. Thread-safe.
 */
public final class PolicyLoginGate implements LoginGate {
  /** Factors that count as a second factor beside (or instead of) the password. */
  private static final Set<Factor> SECOND_FACTORS =
      EnumSet.of(Factor.TOTP, Factor.RECOVERY_CODE, Factor.APP_PASSWORD, Factor.BEARER_TOKEN);

  private final LoginGate delegate;
  private final Supplier<PolicyEngine> engine;
  private final Function<String, Set<String>> groupsOf;
  private final AuditLog audit;
  private final Clock clock;

  /**
   * @param engine the current policy; read once per login, so a reload applies to new logins only
   * @param groupsOf a user's groups from the user directory (empty for unknown users)
   */
  public PolicyLoginGate(
      LoginGate delegate,
      Supplier<PolicyEngine> engine,
      Function<String, Set<String>> groupsOf,
      AuditLog audit,
      Clock clock) {
    this.delegate = delegate;
    this.engine = engine;
    this.groupsOf = groupsOf;
    this.audit = audit;
    this.clock = clock;
  }

  /** A gate whose policy sees no directory groups before authentication. */
  public PolicyLoginGate(
      LoginGate delegate, Supplier<PolicyEngine> engine, AuditLog audit, Clock clock) {
    this(delegate, engine, user -> Set.of(), audit, clock);
  }

  @Override
  public CompletionStage<LoginDecision> check(LoginRequest request) {
    return delegate
        .check(request.withSecondFactor(secondFactor(request)))
        .thenApply(
            decision ->
                switch (decision) {
                  case LoginDecision.Refuse r -> r;
                  case LoginDecision.Proceed p -> apply(request, p);
                });
  }

  /**
   * What the policy asks of the second factor, decided before the password is checked so that a
   * policy saying {@code off} (the office network) lets an enrolled user type the password alone.
   * The user is the one the client claims; the decision after authentication uses the verified one
   * and refuses a login that lacks a factor the policy requires.
   */
  private SecondFactorRequirement secondFactor(LoginRequest request) {
    if (!(request.credentials() instanceof PasswordCredentials p)) {
      return SecondFactorRequirement.AS_CONFIGURED; // tokens and certificates are their own proof
    }
    AccessDecision access =
        engine.get().decideAccess(facts(request, p.user(), groupsOf.apply(p.user())));
    if (!access.allowed()) {
      return SecondFactorRequirement.AS_CONFIGURED;
    }
    return switch (access.secondFactor()) {
      case REQUIRED -> SecondFactorRequirement.AS_CONFIGURED;
      case IF_ENROLLED -> SecondFactorRequirement.IF_ENROLLED;
      case OFF -> SecondFactorRequirement.NOT_REQUIRED;
    };
  }

  private SessionFacts facts(LoginRequest request, String user, Set<String> groups) {
    return new SessionFacts(
        user,
        groups,
        request.session().sourceAddress(),
        request.session().listener().name(),
        request.session().listener().url().protocol().scheme(),
        request.session().tlsVersion(),
        request.session().peerCertificate().isPresent(),
        request.mechanism(),
        clock.instant());
  }

  private LoginDecision apply(LoginRequest request, LoginDecision.Proceed proceed) {
    SessionFacts facts = facts(request, proceed.user(), proceed.groups());
    PolicyEngine engine = this.engine.get();
    AccessDecision access = engine.decideAccess(facts);
    for (AccessDecision monitored : access.monitored()) {
      audit.policyMonitor(
          request.session(),
          proceed.user(),
          monitored.rule().id(),
          describe(monitored, facts, proceed.factors()));
    }
    String refusal =
        refusal(access, facts.mechanism(), proceed.factors(), facts.clientCertificate());
    if (refusal == null) {
      RoutingDecision route = engine.route(facts);
      for (RoutingDecision monitored : route.monitored()) {
        audit.policyMonitor(
            request.session(),
            proceed.user(),
            monitored.rule().id(),
            "would-route:" + monitored.upstream());
      }
      String mismatch = credentialMismatch(route.credentials(), proceed.upstream());
      if (mismatch != null) {
        return new LoginDecision.Refuse(
            mismatch + " (rule " + route.rule().id() + ")", false, Duration.ZERO);
      }
      LoginDecision.Proceed routed = proceed.routedTo(route.upstream());
      return routed.filtered(
          new SessionFilter(
              SessionFilter.account(route.upstream(), proceed.upstream().user()),
              facts,
              this.engine));
    }
    return new LoginDecision.Refuse(
        refusal + " (rule " + access.rule().id() + ")", false, Duration.ZERO);
  }

  /** Why the route's credential mode cannot be met with these credentials, or null. */
  private static String credentialMismatch(CredentialMode mode, UpstreamCredentials upstream) {
    UpstreamCredentials.Source needed =
        switch (mode) {
          case PASSTHROUGH -> null;
          case MAPPED -> UpstreamCredentials.Source.MAPPED;
          case OAUTH2 -> UpstreamCredentials.Source.BROKER;
        };
    if (needed == null || upstream.source() == needed) {
      return null;
    }
    String has =
        switch (upstream.source()) {
          case CLIENT -> "client-credentials";
          case MAPPED -> "mapped-password";
          case BROKER -> "oauth-account";
        };
    String wants =
        mode == CredentialMode.MAPPED ? "a mapped upstream password" : "an oauth-account";
    return "credential-mode-mismatch: route needs "
        + mode.yamlName()
        + " ("
        + wants
        + " in the user file), user has "
        + has;
  }

  /** Why the decision refuses this login, or null when it allows it. */
  private static String refusal(
      AccessDecision access, String mechanism, Set<Factor> factors, boolean clientCertificate) {
    if (!access.allowed()) {
      return "policy-denied:" + access.reason();
    }
    if (!access.allowsMechanism(mechanism)) {
      return "policy-mechanism-not-allowed";
    }
    if (access.clientCertificateRequired()
        && !factors.contains(Factor.CLIENT_CERTIFICATE)
        && !clientCertificate) {
      return "policy-client-certificate-required";
    }
    if (factors.contains(Factor.APP_PASSWORD) && !access.appPasswordsAllowed()) {
      return "policy-app-password-not-allowed";
    }
    if (access.secondFactor() == SecondFactor.REQUIRED
        && factors.stream().noneMatch(SECOND_FACTORS::contains)) {
      return "policy-second-factor-required";
    }
    return null;
  }

  private static String describe(
      AccessDecision monitored, SessionFacts facts, Set<Factor> factors) {
    String would = refusal(monitored, facts.mechanism(), factors, facts.clientCertificate());
    return would == null ? "would-allow" : "would-refuse:" + would;
  }

  @Override
  public Duration upstreamRejected(LoginRequest request) {
    return delegate.upstreamRejected(request);
  }

  @Override
  public void upstreamAccepted(LoginRequest request) {
    delegate.upstreamAccepted(request);
  }

  @Override
  public List<String> saslMechanisms(ClientSession session) {
    return delegate.saslMechanisms(session);
  }

  @Override
  public boolean passwordLogin() {
    return delegate.passwordLogin();
  }
}
