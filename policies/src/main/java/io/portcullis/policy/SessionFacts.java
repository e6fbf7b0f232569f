package io.portcullis.policy;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What the gateway knows about a session when it asks the policy: the authenticated user, the
 * client's address and how it connected. Names are normalised here (user, groups and protocol to
 * lower case, mechanism to upper case) so that evaluation compares without allocating. Immutable.
 *
 * @param user the authenticated user name, usually an address ({@code alice@corp.example})
 * @param groups the user's groups from the user directory
 * @param source the client's address (from PROXY protocol when behind a load balancer)
 * @param listener the name of the listener the client connected to
 * @param protocol {@code imap} or {@code pop3}
 * @param tlsVersion the negotiated TLS version ({@code TLSv1.3}), empty for a plaintext session
 * @param clientCertificate whether the client presented a verified certificate
 * @param mechanism PLAIN, LOGIN, XOAUTH2, OAUTHBEARER, EXTERNAL or USER (POP3 USER/PASS)
 * @param time when the decision is made (from the gateway's clock)
 */
public record SessionFacts(
    String user,
    Set<String> groups,
    InetAddress source,
    String listener,
    String protocol,
    Optional<String> tlsVersion,
    boolean clientCertificate,
    String mechanism,
    Instant time) {

  public SessionFacts {
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(groups, "groups");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(listener, "listener");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(tlsVersion, "tlsVersion");
    Objects.requireNonNull(mechanism, "mechanism");
    Objects.requireNonNull(time, "time");
    user = user.toLowerCase(Locale.ROOT);
    groups =
        groups.stream()
            .map(g -> g.toLowerCase(Locale.ROOT))
            .collect(Collectors.toUnmodifiableSet());
    protocol = protocol.toLowerCase(Locale.ROOT);
    if (!protocol.equals("imap") && !protocol.equals("pop3")) {
      throw new IllegalArgumentException("protocol must be imap or pop3");
    }
    mechanism = mechanism.toUpperCase(Locale.ROOT);
  }
}
