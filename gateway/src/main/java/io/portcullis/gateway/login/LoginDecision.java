package io.portcullis.gateway.login;

import io.portcullis.auth.Factor;
import io.portcullis.gateway.filtering.SessionFilter;
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
   * @param route the name of the upstream to log in to (policy routing; {@code default} otherwise)
   * @param filter how the session's messages are filtered ({@link SessionFilter#OFF}: not at all)
   */
  record Proceed(
      String user,
      UpstreamCredentials upstream,
      Set<String> groups,
      Set<Factor> factors,
      String route,
      SessionFilter filter)
      implements LoginDecision {
    public Proceed {
      groups = Set.copyOf(groups);
      factors = Set.copyOf(factors);
      java.util.Objects.requireNonNull(filter, "filter");
    }

    /** A decision whose messages are not filtered. */
    public Proceed(
        String user,
        UpstreamCredentials upstream,
        Set<String> groups,
        Set<Factor> factors,
        String route) {
      this(user, upstream, groups, factors, route, SessionFilter.OFF);
    }

    /** The same decision, logging in to the upstream named {@code name}. */
    public Proceed routedTo(String name) {
      return new Proceed(user, upstream, groups, factors, name, filter);
    }

    /** The same decision, filtering the session's messages as {@code sessionFilter} says. */
    public Proceed filtered(SessionFilter sessionFilter) {
      return new Proceed(user, upstream, groups, factors, route, sessionFilter);
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
