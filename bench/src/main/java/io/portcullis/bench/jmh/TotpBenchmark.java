package io.portcullis.bench.jmh;

import io.portcullis.auth.totp.Totp;
import io.portcullis.auth.totp.TotpParameters;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * RFC 6238 TOTP: one code, and a verification with the default ±1 step window (three constant-time
 * comparisons, whatever the outcome). The clock is fixed so every run does the same work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class TotpBenchmark {
  private final byte[] key =
      "12345678901234567890".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private Totp totp;
  private long step;
  private String current;

  @Setup
  public void setUp() {
    totp =
        new Totp(
            TotpParameters.DEFAULT,
            Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC));
    step = totp.currentStep();
    current = totp.generate(key, step);
  }

  @Benchmark
  public String generate() {
    return totp.generate(key, step);
  }

  @Benchmark
  public OptionalLong verifyValidCode() {
    return totp.verify(key, current);
  }

  @Benchmark
  public OptionalLong verifyWrongCode() {
    return totp.verify(key, "000000".equals(current) ? "000001" : "000000");
  }
}
