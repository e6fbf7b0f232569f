package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * One listening socket.
 *
 * @param url protocol, security, bind address and port
 * @param name what policies call this listener ({@code listener:} conditions); default {@code
 *     default}
 * @param tls client certificates on this listener (mutual TLS)
 * @param proxyProtocol connections arrive through a load balancer speaking PROXY protocol; null for
 *     direct connections
 */
public record ListenerConfig(
    Endpoint url, String name, ListenerTlsConfig tls, ProxyProtocolConfig proxyProtocol) {
  public static final String DEFAULT_NAME = "default";

  public ListenerConfig {
    if (url == null) {
      throw new IllegalArgumentException("url is required");
    }
    name = name == null || name.isBlank() ? DEFAULT_NAME : name;
    tls = tls == null ? ListenerTlsConfig.NONE : tls;
  }

  public ListenerConfig(Endpoint url) {
    this(url, null, null, null);
  }

  public ListenerConfig(Endpoint url, String name, ListenerTlsConfig tls) {
    this(url, name, tls, null);
  }

  /**
   * Mutual TLS (docs/tls.md).
   *
   * @param clientAuth {@code none} (default), {@code optional} or {@code required}
   * @param clientCa the CAs client certificates must chain to; required unless {@code none}
   * @param clientUserDomain when set, SASL EXTERNAL accepts only certificates naming an address in
   *     this domain and the user is its local part ({@code alice@example.com} → {@code alice});
   *     otherwise the user is the whole address
   */
  public record ListenerTlsConfig(String clientAuth, Path clientCa, String clientUserDomain) {
    static final ListenerTlsConfig NONE = new ListenerTlsConfig(null, null, null);

    public ListenerTlsConfig(String clientAuth, Path clientCa) {
      this(clientAuth, clientCa, null);
    }

    public ListenerTlsConfig {
      clientAuth = clientAuth == null ? "none" : clientAuth.toLowerCase(Locale.ROOT);
      if (!List.of("none", "optional", "required").contains(clientAuth)) {
        throw new IllegalArgumentException(
            "client-auth is '" + clientAuth + "' (expected one of: none, optional, required)");
      }
      if (!clientAuth.equals("none") && clientCa == null) {
        throw new IllegalArgumentException("client-auth: " + clientAuth + " needs client-ca");
      }
    }
  }
}
