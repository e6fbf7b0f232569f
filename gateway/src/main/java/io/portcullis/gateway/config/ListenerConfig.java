package io.portcullis.gateway.config;

/**
 * One listening socket.
 *
 * @param url protocol, security, bind address and port
 */
public record ListenerConfig(Endpoint url) {
  public ListenerConfig {
    if (url == null) {
      throw new IllegalArgumentException("url is required");
    }
  }
}
