package io.portcullis.gateway.login;

import io.portcullis.gateway.upstream.UpstreamCredentials;
import java.time.Duration;

/** What the gateway decided about a login before any upstream is contacted. */
public sealed interface LoginDecision {

  /**
   * Go ahead and log in upstream.
   *
   * @param user the authenticated user name, for audit and session state
   */
  record Proceed(String user, UpstreamCredentials upstream) implements LoginDecision {}

  /**
   * Refuse. The client sees the uniform failure text after {@code delay}.
   *
   * @param reason audit reason code
   * @param temporary whether the client is told to retry later instead
   */
  record Refuse(String reason, boolean temporary, Duration delay) implements LoginDecision {}
}
