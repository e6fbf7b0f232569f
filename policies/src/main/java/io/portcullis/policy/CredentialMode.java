package io.portcullis.policy;

/** How the gateway logs in to the upstream on the user's behalf (DESIGN.md, step 3). */
public enum CredentialMode implements YamlName {
  /** The client's own user name and password are passed on. */
  PASSTHROUGH("passthrough"),
  /** A stored upstream secret mapped to the user is used. */
  MAPPED("mapped"),
  /** An OAuth2 access token that the gateway obtains and refreshes (SASL XOAUTH2). */
  OAUTH2("oauth2");

  private final String yamlName;

  CredentialMode(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }
}
