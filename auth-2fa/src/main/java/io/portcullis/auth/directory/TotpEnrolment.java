package io.portcullis.auth.directory;

import io.portcullis.auth.totp.TotpAlgorithm;
import io.portcullis.auth.totp.TotpParameters;
import java.util.Objects;

/**
 * A user's TOTP secret, sealed with the master key ({@code SecretContext.totpSeed(user)}).
 *
 * @param sealedSeed the {@code SecretBox} envelope of the raw seed
 * @param confirmed false until the user proved the enrolment with a first code
 */
public record TotpEnrolment(
    String sealedSeed, TotpAlgorithm algorithm, int digits, int periodSeconds, boolean confirmed) {
  public TotpEnrolment {
    Objects.requireNonNull(sealedSeed, "sealedSeed");
    Objects.requireNonNull(algorithm, "algorithm");
    parameters(algorithm, digits, periodSeconds, 0); // validates ranges
  }

  /** The parameters to verify codes with, with the configured drift window. */
  public TotpParameters parameters(int window) {
    return parameters(algorithm, digits, periodSeconds, window);
  }

  private static TotpParameters parameters(TotpAlgorithm a, int digits, int period, int window) {
    return new TotpParameters(a, digits, period, window);
  }

  public TotpEnrolment confirm() {
    return new TotpEnrolment(sealedSeed, algorithm, digits, periodSeconds, true);
  }
}
