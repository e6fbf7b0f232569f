package io.portcullis.gateway.login;

import io.portcullis.auth.Factor;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import java.time.Duration;
import java.util.Set;

/** What the gateway decided about a login before any upstream is contacted. */
public sealed interface LoginDecision {

  /**
   * Go ahead and log in upstream.
   *
   * @param user the authenticated user name, for audit and session state
   * @param groups the user's groups from the directory (policy input)
   * @param factors what the client proved (policy input)
   */
  record Proceed(String user, UpstreamCredentials upstream, Set<String> groups, Set<Factor> factors)
      implements LoginDecision {
    public Proceed {
      groups = Set.copyOf(groups);
      factors = Set.copyOf(factors);
    }
  }

  /**
   * Refuse. The client sees the uniform failure text after {@code delay}.
   *
   * @param reason audit reason code
   * @param temporary whether the client is told to retry later instead
   */
  record Refuse(String reason, boolean temporary, Duration delay) implements LoginDecision {}
}
