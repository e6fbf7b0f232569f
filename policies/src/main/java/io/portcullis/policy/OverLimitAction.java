package io.portcullis.policy;

/** What happens to a message larger than the scan limit. */
public enum OverLimitAction implements YamlName {
  /** Delivered unchanged and unscanned. */
  PASS_UNSCANNED("pass-unscanned"),
  /** Delivered with the unscanned tag. */
  TAG("tag"),
  /** Withheld and kept in the quarantine store. */
  QUARANTINE("quarantine");

  private final String yamlName;

  OverLimitAction(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }
}
