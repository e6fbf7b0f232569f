package io.portcullis.auth.password;

/**
 * Argon2id cost parameters (RFC 9106 §3.1).
 *
 * @param memoryKib memory in KiB ({@code m})
 * @param iterations passes over memory ({@code t})
 * @param parallelism lanes ({@code p})
 */
public record Argon2Cost(int memoryKib, int iterations, int parallelism) {
  /** OWASP Password Storage Cheat Sheet minimum for Argon2id: m=19 MiB, t=2, p=1. */
  public static final Argon2Cost OWASP = new Argon2Cost(19 * 1024, 2, 1);

  /** Imported hashes above these are refused: one login must not cost the server a gigabyte. */
  static final Argon2Cost CEILING = new Argon2Cost(1024 * 1024, 16, 16);

  /**
   * @throws IllegalArgumentException if a value is outside RFC 9106's ranges or above {@link
   *     #CEILING}
   */
  public Argon2Cost {
    if (parallelism < 1 || parallelism > 16) {
      throw new IllegalArgumentException("parallelism must be 1..16: " + parallelism);
    }
    if (iterations < 1 || iterations > 16) {
      throw new IllegalArgumentException("iterations must be 1..16: " + iterations);
    }
    if (memoryKib < 8 * parallelism || memoryKib > 1024 * 1024) {
      throw new IllegalArgumentException(
          "memoryKib must be between 8 x parallelism and 1048576: " + memoryKib);
    }
  }

  /** Whether this cost is at least {@code other} in every dimension. */
  boolean atLeast(Argon2Cost other) {
    return memoryKib >= other.memoryKib
        && iterations >= other.iterations
        && parallelism >= other.parallelism;
  }
}
