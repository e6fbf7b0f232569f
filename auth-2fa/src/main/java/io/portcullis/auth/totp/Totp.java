package io.portcullis.auth.totp;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Objects;
import java.util.OptionalLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 6238 time-based one-time passwords over RFC 4226 HOTP truncation. Replay is not this class's
 * concern: pair {@link #verify} with a {@link ReplayGuard}. Thread-safe.
 */
public final class Totp {
  private static final int[] POWERS = {
    1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000
  };

  private final TotpParameters parameters;
  private final Clock clock;

  public Totp(TotpParameters parameters, Clock clock) {
    this.parameters = Objects.requireNonNull(parameters, "parameters");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  public TotpParameters parameters() {
    return parameters;
  }

  /** The time step T = floor(unix seconds / X) (RFC 6238 §4.2, T0 = 0). */
  public long currentStep() {
    return Math.floorDiv(clock.instant().getEpochSecond(), parameters.periodSeconds());
  }

  /** The code for {@code step}, left-padded with zeros to the configured digits. */
  public String generate(byte[] key, long step) {
    byte[] hmac = hmac(key, ByteBuffer.allocate(8).putLong(step).array());
    int offset = hmac[hmac.length - 1] & 0x0f;
    int binary =
        ((hmac[offset] & 0x7f) << 24)
            | ((hmac[offset + 1] & 0xff) << 16)
            | ((hmac[offset + 2] & 0xff) << 8)
            | (hmac[offset + 3] & 0xff);
    int otp = binary % POWERS[parameters.digits()];
    String digits = Integer.toString(otp);
    return "0".repeat(parameters.digits() - digits.length()) + digits;
  }

  /**
   * The step whose code equals {@code code} within ±window of now, preferring the current step.
   * Every candidate is computed and compared in constant time, so timing does not reveal which step
   * (if any) matched.
   */
  public OptionalLong verify(byte[] key, String code) {
    if (code.length() != parameters.digits() || !code.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return OptionalLong.empty();
    }
    byte[] presented = code.getBytes(StandardCharsets.US_ASCII);
    long now = currentStep();
    long matched = Long.MIN_VALUE;
    // Current step first, then outwards, so a code valid for two steps binds to the nearest one.
    for (int distance = parameters.window(); distance >= 0; distance--) {
      for (long step : new long[] {now - distance, now + distance}) {
        boolean equal =
            MessageDigest.isEqual(
                generate(key, step).getBytes(StandardCharsets.US_ASCII), presented);
        if (equal) {
          matched = step;
        }
      }
    }
    return matched == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(matched);
  }

  private byte[] hmac(byte[] key, byte[] message) {
    try {
      Mac mac = Mac.getInstance(parameters.algorithm().jcaName());
      mac.init(new SecretKeySpec(key, "RAW"));
      return mac.doFinal(message);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA1/256/512 are required of every JDK", e);
    }
  }
}
