package io.portcullis.auth.secret;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a sealed secret is for and whose it is; bound into the AES-GCM associated data so that a
 * blob copied to another user or another field fails to open.
 *
 * @param purpose one of the constants here, or another short fixed name
 * @param subject the user or account the secret belongs to
 */
public record SecretContext(String purpose, String subject) {
  public static final String TOTP_SEED = "totp-seed";
  public static final String UPSTREAM_PASSWORD = "upstream-password";
  public static final String OAUTH_TOKEN = "oauth-token";

  public SecretContext {
    Objects.requireNonNull(purpose, "purpose");
    Objects.requireNonNull(subject, "subject");
    if (purpose.isEmpty() || purpose.indexOf('\0') >= 0 || subject.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("purpose must be non-empty; no NUL in purpose or subject");
    }
  }

  public static SecretContext totpSeed(String user) {
    return new SecretContext(TOTP_SEED, user);
  }

  public static SecretContext upstreamPassword(String user) {
    return new SecretContext(UPSTREAM_PASSWORD, user);
  }

  byte[] associatedData(byte[] header) {
    byte[] text =
        ("portcullis-secret\0" + purpose + "\0" + subject).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[header.length + text.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(text, 0, out, header.length, text.length);
    return out;
  }
}
