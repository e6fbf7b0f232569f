package io.portcullis.gateway.config;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code metrics:} — the Prometheus endpoint (docs/operations.md).
 *
 * @param listen {@code host:port} to serve {@code GET /metrics} on, plain HTTP; absent: no endpoint
 */
public record MetricsConfig(String listen) {

  public static final MetricsConfig DEFAULT = new MetricsConfig(null);

  public MetricsConfig {
    if (listen != null) {
      address(listen);
    }
  }

  /** The address to listen on, if an endpoint is configured. */
  public java.util.Optional<InetSocketAddress> address() {
    return java.util.Optional.ofNullable(listen).map(MetricsConfig::address);
  }

  private static InetSocketAddress address(String hostPort) {
    try {
      URI uri = new URI("http://" + hostPort);
      if (uri.getHost() == null || uri.getPort() < 0 || !uri.getPath().isEmpty()) {
        throw new URISyntaxException(hostPort, "not host:port");
      }
      return new InetSocketAddress(uri.getHost().replaceAll("^\\[|\\]$", ""), uri.getPort());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "metrics.listen must be host:port, e.g. 127.0.0.1:9465 or [::1]:9465");
    }
  }
}
