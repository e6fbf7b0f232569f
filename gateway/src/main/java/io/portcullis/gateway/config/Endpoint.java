package io.portcullis.gateway.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * A listener or upstream address written as a URL: {@code pop3s://host:port}, {@code
 * pop3+starttls://host:port}, {@code pop3://host:port}, and the same for {@code imap}. Immutable.
 */
public record Endpoint(Protocol protocol, Security security, String host, int port) {

  public Endpoint {
    if (protocol == null || security == null || host == null || host.isBlank()) {
      throw new IllegalArgumentException("protocol, security and host are required");
    }
    if (port < 0 || port > 65535) {
      // 0 is allowed for listeners: any free port (tests, ephemeral gateways).
      throw new IllegalArgumentException("port " + port + " is outside 0-65535");
    }
  }

  /**
   * Parses an endpoint URL. The port defaults to the protocol's IANA port for the security.
   *
   * @throws IllegalArgumentException naming the problem, when the URL is not one of the accepted
   *     forms
   */
  public static Endpoint parse(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("empty URL (expected e.g. pop3s://127.0.0.1:995)");
    }
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + url + "' is not a URL: " + e.getReason());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Protocol protocol = null;
    Security security = null;
    for (Protocol p : Protocol.values()) {
      for (Security sec : Security.values()) {
        if (scheme(p, sec).equals(scheme)) {
          protocol = p;
          security = sec;
        }
      }
    }
    if (protocol == null) {
      throw new IllegalArgumentException(
          "'"
              + url
              + "' has scheme '"
              + scheme
              + "' (expected pop3, pop3s, pop3+starttls, imap, imaps or imap+starttls)");
    }
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("'" + url + "' has no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    String path = uri.getRawPath();
    if ((path != null && !path.isEmpty() && !path.equals("/"))
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new IllegalArgumentException(
          "'" + url + "' must be scheme://host[:port] with no user, path or query");
    }
    int port = uri.getPort() == -1 ? protocol.defaultPort(security) : uri.getPort();
    return new Endpoint(protocol, security, host, port);
  }

  /** Whether the host is a loopback literal or {@code localhost} (no DNS lookup is made). */
  public boolean isLoopback() {
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false;
    }
    try {
      return InetAddress.getByName(host).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /** The URL form, as accepted by {@link #parse}. */
  @Override
  public String toString() {
    String h = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return scheme(protocol, security) + "://" + h + ":" + port;
  }

  /** The URL scheme for a protocol and security: pop3s, pop3+starttls, pop3, imaps, … */
  private static String scheme(Protocol protocol, Security security) {
    return switch (security) {
      case IMPLICIT_TLS -> protocol.scheme() + "s";
      case STARTTLS -> protocol.scheme() + "+starttls";
      case PLAINTEXT -> protocol.scheme();
    };
  }
}
