package io.portcullis.policy;

/** What happens to a message; ordered from least to most disruptive. */
public enum FilterAction implements YamlName {
  /** Delivered unchanged. */
  ALLOW("allow"),
  /** Delivered with a keyword and, unless keyword-only, a marked subject. */
  TAG("tag"),
  /** Delivered with the matching attachments replaced by a notice; the original is quarantined. */
  STRIP("strip"),
  /** Moved to the Junk folder (IMAP) or tagged as junk (POP3). */
  JUNK("junk"),
  /** Withheld from the client; the original is kept in the quarantine store. */
  QUARANTINE("quarantine");

  private final String yamlName;

  FilterAction(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }
}
