package io.portcullis.policy;

/**
 * Client authentication mechanisms the gateway accepts (RFC 4422 SASL names, and POP3 USER/PASS).
 */
public enum Mechanism implements YamlName {
  /** SASL PLAIN (RFC 4616). */
  PLAIN,
  /** SASL LOGIN (draft-murchison-sasl-login), and the IMAP LOGIN command (RFC 9051 6.2.3). */
  LOGIN,
  /** Google's XOAUTH2 bearer token mechanism. */
  XOAUTH2,
  /** SASL OAUTHBEARER (RFC 7628). */
  OAUTHBEARER,
  /** SASL EXTERNAL with a TLS client certificate (RFC 4422 appendix A). */
  EXTERNAL,
  /** POP3 USER/PASS (RFC 1939 section 7). */
  USER;

  @Override
  public String yamlName() {
    return name();
  }

  /** The mechanism with this upper-case name, or {@code null}; allocation-free. */
  static Mechanism byName(String upperCaseName) {
    return switch (upperCaseName) {
      case "PLAIN" -> PLAIN;
      case "LOGIN" -> LOGIN;
      case "XOAUTH2" -> XOAUTH2;
      case "OAUTHBEARER" -> OAUTHBEARER;
      case "EXTERNAL" -> EXTERNAL;
      case "USER" -> USER;
      default -> null;
    };
  }
}
