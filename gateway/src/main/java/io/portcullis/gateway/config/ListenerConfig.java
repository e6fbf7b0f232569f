package io.portcullis.gateway.config;

/**
 * One listening socket.
 *
 * @param url protocol, security, bind address and port
 * @param proxyProtocol whether connections start with a PROXY protocol v1/v2 header (only behind a
 *     load balancer you control: the header decides the client address used for limits and audit)
 */
public record ListenerConfig(Endpoint url, Boolean proxyProtocol) {
  public ListenerConfig {
    if (url == null) {
      throw new IllegalArgumentException("url is required");
    }
    proxyProtocol = proxyProtocol != null && proxyProtocol;
  }

  public ListenerConfig(Endpoint url) {
    this(url, false);
  }
}
