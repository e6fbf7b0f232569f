package io.portcullis.auth;

import io.portcullis.auth.sasl.SaslMechanism;
import java.util.Objects;

/** What the gateway presents to the upstream server for an authenticated client. Never printed. */
public sealed interface UpstreamCredential {
  /** Log in with a user name and password (passed through, or mapped and decrypted). */
  record Password(String user, Secret password) implements UpstreamCredential {
    public Password {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }
  }

  /** Pass the client's own bearer token through with the same mechanism. */
  record Bearer(String user, Secret token, SaslMechanism mechanism) implements UpstreamCredential {
    public Bearer {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(mechanism, "mechanism");
    }
  }

  /** Use the broker's token for {@code account} and log in as {@code user} (issue 6). */
  record OAuthAccount(String user, String account) implements UpstreamCredential {
    public OAuthAccount {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(account, "account");
    }
  }

  /** No upstream credential is configured for this user; the gateway's routing decides. */
  record None() implements UpstreamCredential {}
}
