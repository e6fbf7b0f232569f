package io.portcullis.auth.totp;

import java.util.Objects;

/**
 * TOTP settings (RFC 6238 §4, §5.2).
 *
 * @param algorithm the HMAC
 * @param digits code length, 6 to 8
 * @param periodSeconds time step X, 15 to 120 seconds
 * @param window steps accepted either side of the current one for clock drift, 0 to 3
 */
public record TotpParameters(TotpAlgorithm algorithm, int digits, int periodSeconds, int window) {
  /** What every authenticator app supports: SHA-1, 6 digits, 30 s, ±1 step (RFC 6238 §5.2). */
  public static final TotpParameters DEFAULT = new TotpParameters(TotpAlgorithm.SHA1, 6, 30, 1);

  /**
   * @throws IllegalArgumentException if a value is out of range
   */
  public TotpParameters {
    Objects.requireNonNull(algorithm, "algorithm");
    if (digits < 6 || digits > 8) {
      throw new IllegalArgumentException("digits must be 6..8: " + digits);
    }
    if (periodSeconds < 15 || periodSeconds > 120) {
      throw new IllegalArgumentException("period must be 15..120 seconds: " + periodSeconds);
    }
    if (window < 0 || window > 3) {
      throw new IllegalArgumentException("window must be 0..3 steps: " + window);
    }
  }
}
