package io.portcullis.auth.totp;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TotpTest {
  private static final byte[] SEED20 = "12345678901234567890".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED32 =
      "12345678901234567890123456789012".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEED64 =
      "1234567890123456789012345678901234567890123456789012345678901234"
          .getBytes(StandardCharsets.US_ASCII);

  private static byte[] seed(TotpAlgorithm algorithm) {
    return switch (algorithm) {
      case SHA1 -> SEED20;
      case SHA256 -> SEED32;
      case SHA512 -> SEED64;
    };
  }

  @ParameterizedTest(name = "{0} at {1} -> {2}")
  @CsvSource({
    "SHA1, 59, 94287082",
    "SHA256, 59, 46119246",
    "SHA512, 59, 90693936",
    "SHA1, 1111111109, 07081804",
    "SHA256, 1111111109, 68084774",
    "SHA512, 1111111109, 25091201",
    "SHA1, 1111111111, 14050471",
    "SHA256, 1111111111, 67062674",
    "SHA512, 1111111111, 99943326",
    "SHA1, 1234567890, 89005924",
    "SHA256, 1234567890, 91819424",
    "SHA512, 1234567890, 93441116",
    "SHA1, 2000000000, 69279037",
    "SHA256, 2000000000, 90698825",
    "SHA512, 2000000000, 38618901",
    "SHA1, 20000000000, 65353130",
    "SHA256, 20000000000, 77737706",
    "SHA512, 20000000000, 47863826"
  })
  void generateShouldMatchRfc6238AppendixB(TotpAlgorithm algorithm, long time, String expected) {
    Totp totp = new Totp(new TotpParameters(algorithm, 8, 30, 1), TestClock.at(time));
    assertThat(totp.generate(seed(algorithm), totp.currentStep())).isEqualTo(expected);
    assertThat(totp.verify(seed(algorithm), expected)).hasValue(time / 30);
  }

  @Test
  void sixDigitCodeShouldBeTheLastSixDigitsOfTheEightDigitVector() {
    Totp totp = new Totp(TotpParameters.DEFAULT, TestClock.at(1111111109));
    assertThat(totp.generate(SEED20, totp.currentStep())).isEqualTo("081804");
  }

  @Test
  void verifyShouldAcceptPreviousAndNextStepWithinWindow() {
    TestClock clock = TestClock.at(1_000_000_000);
    Totp totp = new Totp(TotpParameters.DEFAULT, clock);
    long now = totp.currentStep();
    assertThat(totp.verify(SEED20, totp.generate(SEED20, now - 1))).hasValue(now - 1);
    assertThat(totp.verify(SEED20, totp.generate(SEED20, now + 1))).hasValue(now + 1);
  }

  @Test
  void verifyShouldRejectCodeTwoStepsOld() {
    TestClock clock = TestClock.at(1_000_000_000);
    Totp totp = new Totp(TotpParameters.DEFAULT, clock);
    String code = totp.generate(SEED20, totp.currentStep());
    clock.advance(Duration.ofSeconds(61));
    assertThat(totp.verify(SEED20, code)).isEqualTo(OptionalLong.empty());
  }

  @Test
  void verifyShouldRejectWrongLengthAndNonDigits() {
    Totp totp = new Totp(TotpParameters.DEFAULT, TestClock.at(59));
    assertThat(totp.verify(SEED20, "28708")).isEmpty();
    assertThat(totp.verify(SEED20, "2870８2")).isEmpty();
    assertThat(totp.verify(SEED20, "")).isEmpty();
  }

  @Test
  void replayGuardShouldAcceptACodeOncePerUserAndStep() {
    CaffeineReplayGuard guard =
        new CaffeineReplayGuard(TotpParameters.DEFAULT, TestClock.at(0).ticker());
    assertThat(guard.tryConsume("alice", 42)).isTrue();
    assertThat(guard.tryConsume("alice", 42)).isFalse();
    assertThat(guard.tryConsume("bob", 42)).isTrue();
    assertThat(guard.tryConsume("alice", 43)).isTrue();
  }

  @Test
  void replayGuardShouldStillRememberWhileTheStepIsAcceptable() {
    TestClock clock = TestClock.at(0);
    CaffeineReplayGuard guard = new CaffeineReplayGuard(TotpParameters.DEFAULT, clock.ticker());
    guard.tryConsume("alice", 42);
    clock.advance(Duration.ofSeconds(89)); // step 42 is still within the ±1 window for < 90 s
    assertThat(guard.tryConsume("alice", 42)).isFalse();
  }

  @Test
  void replayGuardShouldCoverEnrolmentsWithTheLongestPeriod() {
    TestClock clock = TestClock.at(0);
    CaffeineReplayGuard guard = new CaffeineReplayGuard(TotpParameters.DEFAULT, clock.ticker());
    guard.tryConsume("alice", 42);
    // A 120 s enrolment keeps a step acceptable for up to 360 s with a ±1 window.
    clock.advance(Duration.ofSeconds(359));
    assertThat(guard.tryConsume("alice", 42)).isFalse();
  }
}
