package io.portcullis.auth.totp;

/** The HMAC functions RFC 6238 §1.2 allows, with their JCA and otpauth URI names. */
public enum TotpAlgorithm {
  SHA1("HmacSHA1", 20),
  SHA256("HmacSHA256", 32),
  SHA512("HmacSHA512", 64);

  private final String jcaName;
  private final int keyBytes;

  TotpAlgorithm(String jcaName, int keyBytes) {
    this.jcaName = jcaName;
    this.keyBytes = keyBytes;
  }

  String jcaName() {
    return jcaName;
  }

  /** The secret length RFC 4226 §4 R6 recommends for this hash: its output length. */
  public int keyBytes() {
    return keyBytes;
  }
}
