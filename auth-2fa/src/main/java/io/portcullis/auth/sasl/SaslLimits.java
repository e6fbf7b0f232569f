package io.portcullis.auth.sasl;

/**
 * Size limits for SASL exchanges before authentication (THREATS.md "Limits": SASL response 8 KiB).
 *
 * @param maxResponseBytes largest decoded client response accepted
 * @param maxTokenBytes largest bearer token accepted (JWTs from Entra ID reach a few KiB)
 */
public record SaslLimits(int maxResponseBytes, int maxTokenBytes) {
  /** 8 KiB responses, 16 KiB tokens. */
  public static final SaslLimits DEFAULT = new SaslLimits(8 * 1024, 16 * 1024);

  /** The decoded size limit may exceed the response limit so that a large token still fits. */
  public SaslLimits {
    if (maxResponseBytes < 512) {
      throw new IllegalArgumentException("maxResponseBytes must be >= 512: " + maxResponseBytes);
    }
    if (maxTokenBytes < 512) {
      throw new IllegalArgumentException("maxTokenBytes must be >= 512: " + maxTokenBytes);
    }
  }

  /**
   * Bearer mechanisms carry the token inside the response, so their response limit grows with it.
   */
  int responseLimit(SaslMechanism mechanism) {
    return mechanism.isBearer()
        ? Math.max(maxResponseBytes, maxTokenBytes + 1024)
        : maxResponseBytes;
  }
}
