package io.portcullis.auth;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One authentication attempt as the gateway saw it.
 *
 * @param credentials what the client sent
 * @param source the client address (after PROXY protocol)
 * @param protocol {@code imap} or {@code pop3}
 * @param tls whether the connection was protected by TLS when the credentials arrived
 */
public record AuthRequest(
    Credentials credentials, InetAddress source, String protocol, boolean tls) {
  public AuthRequest {
    Objects.requireNonNull(credentials, "credentials");
    Objects.requireNonNull(source, "source");
    if (!"imap".equals(protocol) && !"pop3".equals(protocol)) {
      throw new IllegalArgumentException("protocol must be imap or pop3: " + protocol);
    }
  }
}
