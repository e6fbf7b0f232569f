package io.portcullis.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * Measures Argon2id cost per hash on this machine ({@code java -cp ... Argon2Benchmark [m t p n]});
 * a main method rather than a test so that the build stays fast. Not part of the API.
 */
final class Argon2Benchmark {
  private Argon2Benchmark() {}

  public static void main(String[] args) {
    Argon2Cost cost =
        args.length >= 3
            ? new Argon2Cost(
                Integer.parseInt(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]))
            : Argon2Cost.OWASP;
    int n = args.length >= 4 ? Integer.parseInt(args[3]) : 30;
    byte[] password = "correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < 5; i++) {
      PasswordHashes.hash(password, cost, random); // warm-up: JIT
    }
    long[] times = new long[n];
    for (int i = 0; i < n; i++) {
      long start = System.nanoTime();
      PasswordHashes.hash(password, cost, random);
      times[i] = System.nanoTime() - start;
    }
    java.util.Arrays.sort(times);
    System.out.printf(
        "Argon2id %s: n=%d min=%.1f ms median=%.1f ms max=%.1f ms%n",
        cost, n, times[0] / 1e6, times[n / 2] / 1e6, times[n - 1] / 1e6);

    // Throughput through the bounded hasher, as logins would use it.
    int permits = Runtime.getRuntime().availableProcessors();
    try (PasswordHasher hasher = new PasswordHasher(cost, permits, n)) {
      io.portcullis.auth.Secret secret = io.portcullis.auth.Secret.of("correct horse");
      long start = System.nanoTime();
      java.util.List<java.util.concurrent.CompletableFuture<?>> all = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        all.add(hasher.verifyDummy(secret));
      }
      all.forEach(java.util.concurrent.CompletableFuture::join);
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "PasswordHasher with %d permits: %d verifications in %.2f s = %.1f/s%n",
          permits, n, seconds, n / seconds);
    }
  }
}
