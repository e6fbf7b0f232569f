package io.portcullis.auth.password;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Digests of high-entropy secrets that the server generates (app passwords ≥ 100 bits, recovery
 * codes 80 bits): {@code sha256:BASE64URL}. Such secrets cannot be guessed offline, so a slow hash
 * would only multiply login cost per stored secret; a plain SHA-256 is the right tool. Stateless.
 */
public final class TokenDigest {
  private static final String PREFIX = "sha256:";

  private TokenDigest() {}

  /** The stored form of {@code secret}. */
  public static String digest(String secret) {
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(secret));
  }

  /** The first of {@code digests} equal to the digest of {@code secret}; every one is compared. */
  public static Optional<String> match(String secret, List<String> digests) {
    byte[] candidate = digest(secret).getBytes(StandardCharsets.US_ASCII);
    String found = null;
    for (String stored : digests) {
      if (MessageDigest.isEqual(candidate, stored.getBytes(StandardCharsets.US_ASCII))
          && found == null) {
        found = stored;
      }
    }
    return Optional.ofNullable(found);
  }

  private static byte[] sha256(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
