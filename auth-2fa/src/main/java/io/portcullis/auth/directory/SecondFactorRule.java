package io.portcullis.auth.directory;

/** A user's own second-factor setting, which may override the global requirement. */
public enum SecondFactorRule {
  /** Follow {@code auth.second-factor.required} (all / groups / none). */
  DEFAULT,
  /** Always require a second factor (TOTP, recovery code) or an app password. */
  REQUIRED,
  /** Never require one (service accounts on trusted networks; use sparingly). */
  EXEMPT
}
