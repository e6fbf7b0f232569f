package io.portcullis.gateway.config;

import io.portcullis.policy.Cidr;
import java.time.Duration;
import java.util.List;

/**
 * {@code proxy-protocol:} on a listener — connections come through a load balancer that prepends a
 * PROXY protocol header (v1 or v2) naming the real client (docs/operations.md). Every connection
 * must then start with one, and only from a trusted address: anyone else could claim any source.
 *
 * @param trusted the load balancers' addresses or networks (CIDR); required, not empty
 * @param timeout how long a connection may take to send its header (default 5s)
 */
public record ProxyProtocolConfig(List<String> trusted, String timeout) {

  public ProxyProtocolConfig {
    if (trusted == null || trusted.isEmpty()) {
      throw new IllegalArgumentException(
          "proxy-protocol.trusted must list the load balancers' addresses (CIDR)");
    }
    trusted = List.copyOf(trusted);
    trusted.forEach(Cidr::parse); // an unparseable entry fails at load, naming it
    timeout = timeout == null ? "5s" : timeout;
    if (timeoutDuration(timeout).isZero()) {
      throw new IllegalArgumentException("proxy-protocol.timeout must be positive");
    }
  }

  /** The trusted networks, parsed. */
  public List<Cidr> networks() {
    return trusted.stream().map(Cidr::parse).toList();
  }

  /** The header timeout. */
  public Duration timeoutDuration() {
    return timeoutDuration(timeout);
  }

  private static Duration timeoutDuration(String text) {
    Duration d = ConfigLoader.parseDuration(text);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
