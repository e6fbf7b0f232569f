package io.portcullis.policy;

/** Which analyzers run on a session's messages. */
public enum ScanScope implements YamlName {
  /** Spam scoring and attachment analysis. */
  FULL("full"),
  /** Attachment analysis only; no spam score. */
  ATTACHMENTS_ONLY("attachments-only"),
  /** Messages are not scanned. */
  OFF("off");

  private final String yamlName;

  ScanScope(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }
}
