package io.portcullis.gateway.config;

/** The mail retrieval protocols Portcullis carries. */
public enum Protocol {
  /** POP3, RFC 1939. */
  POP3("pop3", 110, 995),
  /** IMAP, RFC 9051 and RFC 3501. */
  IMAP("imap", 143, 993);

  private final String scheme;
  private final int plainPort;
  private final int implicitTlsPort;

  Protocol(String scheme, int plainPort, int implicitTlsPort) {
    this.scheme = scheme;
    this.plainPort = plainPort;
    this.implicitTlsPort = implicitTlsPort;
  }

  /** The URL scheme without security suffix: {@code pop3} or {@code imap}. */
  public String scheme() {
    return scheme;
  }

  /** The IANA port for this protocol with the given security (RFC 8314 §7 for implicit TLS). */
  public int defaultPort(Security security) {
    return security == Security.IMPLICIT_TLS ? implicitTlsPort : plainPort;
  }
}
