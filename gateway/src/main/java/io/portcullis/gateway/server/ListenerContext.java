package io.portcullis.gateway.server;

import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.FilterConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.imap.scan.SideConnectionPool;
import io.portcullis.gateway.login.LoginGate;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.tls.ServerTls;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a session accepted on one listener needs, shared by all its sessions. Immutable and
 * thread-safe (each member is).
 *
 * @param tls the listener's TLS context; empty only for a plaintext listener
 * @param upstreams this protocol's upstreams by name (policy routing picks one)
 * @param messageFilter scans messages of filtered sessions; null only where no session is filtered
 *     (relay tests and benchmarks)
 * @param filtering the {@code filter:} settings the sessions need (mailbox names, scan budget)
 * @param sideConnections IMAP scan connections kept between an account's sessions; null where no
 *     session is filtered
 */
public record ListenerContext(
    ListenerConfig listener,
    Optional<ServerTls> tls,
    LoginGate loginGate,
    Map<String, UpstreamConnector> upstreams,
    AuditLog audit,
    GatewayLimits limits,
    SaslLimits saslLimits,
    MessageFilter messageFilter,
    FilterConfig filtering,
    SideConnectionPool sideConnections) {

  public ListenerContext {
    upstreams = Map.copyOf(upstreams);
  }

  /** A context whose sessions are never filtered. */
  public ListenerContext(
      ListenerConfig listener,
      Optional<ServerTls> tls,
      LoginGate loginGate,
      Map<String, UpstreamConnector> upstreams,
      AuditLog audit,
      GatewayLimits limits,
      SaslLimits saslLimits) {
    this(
        listener,
        tls,
        loginGate,
        upstreams,
        audit,
        limits,
        saslLimits,
        null,
        FilterConfig.DEFAULT,
        null);
  }

  /** The upstream a login was routed to, if this protocol has one by that name. */
  public Optional<UpstreamConnector> upstream(String name) {
    return Optional.ofNullable(upstreams.get(name));
  }
}
