package io.portcullis.auth;

import java.util.Objects;
import java.util.Set;

/**
 * Who was authenticated, and how; the input to policy decisions and the audit log. Immutable.
 *
 * @param user the local user name (or the token's user claim)
 * @param groups the user's groups from the directory, empty if none
 * @param mechanism {@code password}, or the SASL mechanism of a bearer token
 * @param factors the factors that were verified
 * @param upstreamLogin the identity the gateway will log in upstream as
 */
public record Principal(
    String user, Set<String> groups, String mechanism, Set<Factor> factors, String upstreamLogin) {
  public Principal {
    Objects.requireNonNull(user, "user");
    groups = Set.copyOf(groups);
    Objects.requireNonNull(mechanism, "mechanism");
    factors = Set.copyOf(factors);
    Objects.requireNonNull(upstreamLogin, "upstreamLogin");
  }
}
