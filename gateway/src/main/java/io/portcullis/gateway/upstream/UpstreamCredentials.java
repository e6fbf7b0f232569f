package io.portcullis.gateway.upstream;

import io.portcullis.auth.oauth.AccessToken;
import io.portcullis.auth.oauth.OAuthBroker;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the gateway logs in upstream with: a password, or a source of OAuth2 access tokens that is
 * asked afresh for every connection (so the relay's side connections, opened later, get a token
 * that is still valid). Immutable; never printed with a secret.
 */
public sealed interface UpstreamCredentials {
  /** The user name sent upstream. */
  String user();

  /** Where the credentials came from, for the policy's credential mode (docs/policies.md). */
  Source source();

  /** Where upstream credentials came from. */
  enum Source {
    /** The client's own password or bearer token, passed through. */
    CLIENT,
    /** A password mapped to the user in the directory, sealed at rest. */
    MAPPED,
    /** A token from the OAuth broker for the account mapped to the user. */
    BROKER
  }

  /** A password, with a user name (USER/PASS, LOGIN, AUTH PLAIN). */
  static Password password(String user, String password) {
    return new Password(user, password, Source.CLIENT);
  }

  /**
   * Log in with a user name and password.
   *
   * @param source where they came from
   */
  record Password(String user, String password, Source source) implements UpstreamCredentials {
    public Password {
      if (user == null || password == null || source == null) {
        throw new IllegalArgumentException("user, password and source are required");
      }
      if (source == Source.BROKER) {
        throw new IllegalArgumentException("a password does not come from the OAuth broker");
      }
    }

    /** Whether both values are free of CR, LF and NUL, which no line protocol can carry (A3). */
    public boolean lineSafe() {
      return safe(user) && safe(password);
    }

    @Override
    public String toString() {
      return "Password[user=" + user + ", source=" + source + ", password=<redacted>]";
    }
  }

  /**
   * Log in with SASL XOAUTH2 or OAUTHBEARER (RFC 7628) and a token from {@code tokens}.
   *
   * @param user the user name sent in the SASL message (may differ from the token's owner)
   * @param account the broker account, or {@code client} for the client's own token (audit)
   */
  record OAuth(String user, String account, Source source, Tokens tokens)
      implements UpstreamCredentials {
    public OAuth {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(tokens, "tokens");
      if (source == Source.MAPPED) {
        throw new IllegalArgumentException("mapped credentials are passwords");
      }
    }

    /** The broker's token for {@code account}, logged in as the account's login user. */
    public static OAuth broker(OAuthBroker broker, String account, String loginUser) {
      return new OAuth(
          loginUser,
          account,
          Source.BROKER,
          new Tokens() {
            @Override
            public CompletionStage<AccessToken> get() {
              return broker.accessToken(account);
            }

            @Override
            public void rejected(AccessToken token) {
              broker.rejected(token);
            }
          });
    }

    /** The client's own bearer token, passed through as it is. */
    public static OAuth client(String user, String token) {
      AccessToken fixed = new AccessToken("client", user, token, Instant.MAX);
      return new OAuth(
          user, "client", Source.CLIENT, () -> CompletableFuture.completedFuture(fixed));
    }

    @Override
    public String toString() {
      return "OAuth[user=" + user + ", account=" + account + ", source=" + source + "]";
    }
  }

  /** Where an {@link OAuth} login gets its token; called off the event loop's critical path. */
  @FunctionalInterface
  interface Tokens {
    /** A token; fails with an {@code OAuthException} that says why. Never blocks the caller. */
    CompletionStage<AccessToken> get();

    /** The upstream refused {@code token}: do not hand it out again. */
    default void rejected(AccessToken token) {}
  }

  private static boolean safe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }
}
