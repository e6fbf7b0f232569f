package io.portcullis.auth.sasl;

import java.util.Locale;
import java.util.Optional;

/** The SASL mechanisms the gateway understands from clients, with their registered names. */
public enum SaslMechanism {
  /** RFC 4616: authzid NUL authcid NUL passwd in one response. */
  PLAIN("PLAIN"),
  /** draft-murchison-sasl-login: "Username:" then "Password:" challenges. */
  LOGIN("LOGIN"),
  /** Google/Microsoft XOAUTH2: {@code user=U^Aauth=Bearer T^A^A}. */
  XOAUTH2("XOAUTH2"),
  /** RFC 7628: GS2 header, key/value pairs, and a JSON error challenge on failure. */
  OAUTHBEARER("OAUTHBEARER"),
  /** RFC 4422 appendix A: identity from the TLS client certificate. */
  EXTERNAL("EXTERNAL");

  private final String saslName;

  SaslMechanism(String saslName) {
    this.saslName = saslName;
  }

  /** The name as advertised in CAPABILITY / CAPA and sent in AUTHENTICATE / AUTH. */
  public String saslName() {
    return saslName;
  }

  /** Looks a client-supplied mechanism name up, case-insensitively (RFC 4422 §3.1). */
  public static Optional<SaslMechanism> byName(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    for (SaslMechanism mechanism : values()) {
      if (mechanism.saslName.equals(upper)) {
        return Optional.of(mechanism);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether a successful exchange yields a bearer token that may be refused with an error
   * challenge.
   */
  public boolean isBearer() {
    return this == XOAUTH2 || this == OAUTHBEARER;
  }
}
