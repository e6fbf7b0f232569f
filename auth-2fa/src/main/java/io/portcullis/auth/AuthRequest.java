package io.portcullis.auth;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * One authentication attempt as the gateway saw it.
 *
 * @param credentials what the client sent
 * @param source the client address (after PROXY protocol)
 * @param protocol {@code imap} or {@code pop3}
 * @param tls whether the connection was protected by TLS when the credentials arrived
 * @param clientCertificateIdentity the user name the gateway derived from a verified TLS client
 *     certificate, for SASL EXTERNAL; empty when there is none
 * @param secondFactor what the session's policy asks of the second factor
 */
public record AuthRequest(
    Credentials credentials,
    InetAddress source,
    String protocol,
    boolean tls,
    Optional<String> clientCertificateIdentity,
    SecondFactorRequirement secondFactor) {
  public AuthRequest {
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(source, "source");
    if (!"imap".equals(protocol) && !"pop3".equals(protocol)) {
      throw new IllegalArgumentException("protocol must be imap or pop3: " + protocol);
    }
    Objects.requireNonNull(clientCertificateIdentity, "clientCertificateIdentity");
    Objects.requireNonNull(secondFactor, "secondFactor");
  }

  /** A request whose second factor is as the auth settings say. */
  public AuthRequest(
      Credentials credentials,
      InetAddress source,
      String protocol,
      boolean tls,
      Optional<String> clientCertificateIdentity) {
    this(
        credentials,
        source,
        protocol,
        tls,
        clientCertificateIdentity,
        SecondFactorRequirement.AS_CONFIGURED);
  }

  /** A request without a client certificate. */
  public AuthRequest(Credentials credentials, InetAddress source, String protocol, boolean tls) {
    this(
        credentials,
        source,
        protocol,
        tls,
        Optional.empty(),
        SecondFactorRequirement.AS_CONFIGURED);
  }
}
