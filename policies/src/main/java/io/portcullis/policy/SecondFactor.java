package io.portcullis.policy;

/** Whether a login must present a second factor (TOTP) besides the password. */
public enum SecondFactor implements YamlName {
  /** Every password login needs a valid TOTP code; users without one cannot log in. */
  REQUIRED("required"),
  /** Users who enrolled TOTP must present a code; others log in with the password. */
  IF_ENROLLED("if-enrolled"),
  /** No second factor is asked for. */
  OFF("off");

  private final String yamlName;

  SecondFactor(String yamlName) {
    this.yamlName = yamlName;
  }

  @Override
  public String yamlName() {
    return yamlName;
  }
}
