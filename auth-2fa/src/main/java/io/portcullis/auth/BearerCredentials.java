package io.portcullis.auth;

import io.portcullis.auth.sasl.SaslMechanism;
import java.util.Objects;

/**
 * An OAuth 2.0 bearer token from SASL XOAUTH2 or OAUTHBEARER (RFC 7628).
 *
 * @param user the user the client asserts ({@code user=} or the GS2 {@code a=}), empty if none
 * @param token the access token
 * @param mechanism the SASL mechanism it came through
 */
public record BearerCredentials(String user, Secret token, SaslMechanism mechanism)
    implements Credentials {
  public BearerCredentials {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(mechanism, "mechanism");
  }

  @Override
  public void destroy() {
    token.destroy();
  }
}
