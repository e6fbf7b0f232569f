package io.portcullis.gateway.upstream;

import io.portcullis.auth.oauth.AccessToken;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Credentials ready to send: a password, or a bearer token already obtained. A flow receives one
 * after the token source answered, so nothing waits for a token on the event loop. Immutable; never
 * printed.
 */
sealed interface UpstreamLogin {
  String user();

  /** A user name and password. */
  record Password(String user, String password) implements UpstreamLogin {
    @Override
    public String toString() {
      return "Password[user=" + user + "]";
    }
  }

  /** A bearer token, and where to report it if the upstream refuses it. */
  record Bearer(String user, AccessToken token, UpstreamCredentials.Tokens source)
      implements UpstreamLogin {
    /** RFC 6750 §2.1 b64token: what a bearer token may contain (no separator, no CR/LF). */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    /** Whether the token and user can go into a SASL message unchanged (THREATS A3). */
    boolean sendable() {
      return B64TOKEN.matcher(token.value()).matches()
          && user.chars().allMatch(c -> c > 0x20 && c != 0x7f);
    }

    /** The initial response for {@code mechanism} (XOAUTH2 or OAUTHBEARER), base64. */
    String initialResponse(String mechanism) {
      String message =
          mechanism.equals("OAUTHBEARER")
              // RFC 7628 §3.1: GS2 header with the authzid as a saslname (RFC 5801: , and =).
              ? "n,a="
                  + user.replace("=", "=3D").replace(",", "=2C")
                  + ",\u0001auth=Bearer "
                  + token.value()
                  + "\u0001\u0001"
              : "user=" + user + "\u0001auth=Bearer " + token.value() + "\u0001\u0001";
      return Base64.getEncoder().encodeToString(message.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * What to answer the server's error challenge with, so that it sends its final failure: RFC
     * 7628 §3.2.3 a single %x01 for OAUTHBEARER, an empty response for XOAUTH2.
     */
    static String abortResponse(String mechanism) {
      return mechanism.equals("OAUTHBEARER") ? "AQ==" : "";
    }

    @Override
    public String toString() {
      return "Bearer[user=" + user + ", account=" + token.account() + "]";
    }
  }
}
