package io.portcullis.gateway.config;

/**
 * One listening socket.
 *
 * @param url protocol, security, bind address and port
 * @param name what policies call this listener ({@code listener:} conditions); default {@code
 *     default}
 */
public record ListenerConfig(Endpoint url, String name) {
  public static final String DEFAULT_NAME = "default";

  public ListenerConfig {
    if (url == null) {
      throw new IllegalArgumentException("url is required");
    }
    name = name == null || name.isBlank() ? DEFAULT_NAME : name;
  }

  public ListenerConfig(Endpoint url) {
    this(url, null);
  }
}
