package io.portcullis.tls;

/** Which TLS implementation terminates and originates connections ({@code tls.provider}). */
public enum TlsProvider {
  /**
   * BoringSSL through netty-tcnative when its native library loads on this machine, JDK otherwise.
   */
  AUTO,
  /**
   * BoringSSL through netty-tcnative; fails at startup when the native library cannot be loaded.
   */
  OPENSSL,
  /** The JDK's own JSSE (SunJSSE). */
  JDK,
  /**
   * Bouncy Castle JSSE (BCJSSE) over the Bouncy Castle crypto provider, for FIPS-minded
   * deployments.
   */
  BOUNCYCASTLE
}
