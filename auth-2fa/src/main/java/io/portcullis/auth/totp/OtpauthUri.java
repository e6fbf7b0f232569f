package io.portcullis.auth.totp;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Builds {@code otpauth://totp/ISSUER:ACCOUNT?secret=..&issuer=..&algorithm=..&digits=..&period=..}
 * (Google Authenticator "Key Uri Format", understood by every authenticator app). Stateless.
 */
public final class OtpauthUri {
  private OtpauthUri() {}

  /** The URI to show as text and as a QR code during enrolment. */
  public static String build(
      String issuer, String account, byte[] secret, TotpParameters parameters) {
    if (issuer.contains(":") || account.contains(":")) {
      throw new IllegalArgumentException("issuer and account must not contain ':'");
    }
    return "otpauth://totp/"
        + encode(issuer)
        + ":"
        + encode(account)
        + "?secret="
        + Base32.encode(secret)
        + "&issuer="
        + encode(issuer)
        + "&algorithm="
        + parameters.algorithm().name()
        + "&digits="
        + parameters.digits()
        + "&period="
        + parameters.periodSeconds();
  }

  private static String encode(String value) {
    // URLEncoder writes form encoding; authenticator apps expect %20 for a space.
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
