package io.portcullis.auth;

import java.util.Objects;

/**
 * A user name and password (RFC 4616 PLAIN, LOGIN, IMAP LOGIN, POP3 USER/PASS).
 *
 * @param authzid the authorization identity, empty when the client asked to act as itself
 * @param user the authentication identity
 * @param password the password, possibly with a one-time code appended
 */
public record PasswordCredentials(String authzid, String user, Secret password)
    implements Credentials {
  public PasswordCredentials {
    Objects.requireNonNull(authzid, "authzid");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** Credentials without an authorization identity. */
  public static PasswordCredentials of(String user, Secret password) {
    return new PasswordCredentials("", user, password);
  }

  @Override
  public void destroy() {
    password.destroy();
  }
}
