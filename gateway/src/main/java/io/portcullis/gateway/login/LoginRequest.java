package io.portcullis.gateway.login;

import io.portcullis.auth.Credentials;
import io.portcullis.auth.SecondFactorRequirement;
import io.portcullis.gateway.session.ClientSession;

/**
 * A client's login attempt as the front end decoded it.
 *
 * @param mechanism what the client used: USER (POP3 USER/PASS), LOGIN (IMAP LOGIN) or a SASL name
 * @param secondFactor what the policy asks of the second factor for this session (the policy gate
 *     sets it before the credentials are verified)
 */
public record LoginRequest(
    ClientSession session,
    Credentials credentials,
    String mechanism,
    SecondFactorRequirement secondFactor) {

  public LoginRequest {
    java.util.Objects.requireNonNull(secondFactor, "secondFactor");
  }

  /** A request whose second factor is as the auth settings say. */
  public LoginRequest(ClientSession session, Credentials credentials, String mechanism) {
    this(session, credentials, mechanism, SecondFactorRequirement.AS_CONFIGURED);
  }

  /** The same request with the policy's second-factor requirement. */
  public LoginRequest withSecondFactor(SecondFactorRequirement requirement) {
    return new LoginRequest(session, credentials, mechanism, requirement);
  }
}
