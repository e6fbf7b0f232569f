package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The whole gateway configuration, as read from YAML and overridden by command-line flags.
 * Immutable; {@link #checkRunnable()} checks the rules that span several keys.
 *
 * @param dataDir where generated certificates, state and quarantine live
 * @param listeners sockets to listen on
 * @param upstreams one upstream per protocol
 * @param tls server-side TLS
 * @param limits connection, input and time limits
 * @param insecureListener allow {@code pop3://} and {@code imap://} listeners (loopback only)
 * @param auth where client identity is decided
 * @param policy the policy file (docs/policies.md); absent: the built-in default policy
 * @param filter how messages are scanned in the data path (docs/filtering.md)
 * @param metrics the Prometheus endpoint (docs/operations.md)
 */
public record GatewayConfig(
    Path dataDir,
    List<ListenerConfig> listeners,
    List<UpstreamConfig> upstreams,
    TlsConfig tls,
    GatewayLimits limits,
    Boolean insecureListener,
    AuthConfig auth,
    Path policy,
    FilterConfig filter,
    MetricsConfig metrics) {

  public static final Path DEFAULT_DATA_DIR = Path.of("portcullis-data");

  /** A configuration with the default {@code filter:} and {@code metrics:} sections. */
  public GatewayConfig(
      Path dataDir,
      List<ListenerConfig> listeners,
      List<UpstreamConfig> upstreams,
      TlsConfig tls,
      GatewayLimits limits,
      Boolean insecureListener,
      AuthConfig auth,
      Path policy) {
    this(dataDir, listeners, upstreams, tls, limits, insecureListener, auth, policy, null, null);
  }

  public GatewayConfig {
    dataDir = dataDir == null ? DEFAULT_DATA_DIR : dataDir;
    listeners = listeners == null ? List.of() : List.copyOf(listeners);
    upstreams = upstreams == null ? List.of() : List.copyOf(upstreams);
    tls = tls == null ? TlsConfig.DEFAULT : tls;
    limits = limits == null ? GatewayLimits.defaults() : limits;
    insecureListener = insecureListener != null && insecureListener;
    auth = auth == null ? AuthConfig.DEFAULT : auth;
    filter = filter == null ? FilterConfig.DEFAULT : filter;
    metrics = metrics == null ? MetricsConfig.DEFAULT : metrics;
  }

  /** A configuration with every default and no listener or upstream. */
  public static GatewayConfig empty() {
    return new GatewayConfig(null, null, null, null, null, null, null, null);
  }

  /** The upstream named {@code default} for a protocol, else its first one, if any. */
  public Optional<UpstreamConfig> upstream(Protocol protocol) {
    return upstreams.stream()
        .filter(u -> u.url().protocol() == protocol)
        .min(
            (a, b) ->
                Boolean.compare(
                    !a.name().equals(UpstreamConfig.DEFAULT_NAME),
                    !b.name().equals(UpstreamConfig.DEFAULT_NAME)));
  }

  /**
   * Checks the rules that involve several keys.
   *
   * @throws ConfigException listing every problem found
   */
  public GatewayConfig checkRunnable() throws ConfigException {
    List<String> problems = new ArrayList<>();
    if (listeners.isEmpty()) {
      problems.add("listeners: at least one listener is required (e.g. pop3s://0.0.0.0:995)");
    }
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (UpstreamConfig u : upstreams) {
      if (!seen.add(u.url().protocol().scheme() + "/" + u.name())) {
        problems.add(
            "upstreams: two "
                + u.url().protocol().scheme()
                + " upstreams are named '"
                + u.name()
                + "' (names must differ per protocol)");
      }
    }
    for (int i = 0; i < listeners.size(); i++) {
      Endpoint url = listeners.get(i).url();
      String key = "listeners[" + i + "].url";
      if (upstream(url.protocol()).isEmpty()) {
        problems.add(
            key
                + ": '"
                + url
                + "' needs an upstream for "
                + url.protocol().scheme()
                + " (e.g. --upstream "
                + url.protocol().scheme()
                + "s://mail.example.com)");
      }
      if (url.security() == Security.PLAINTEXT) {
        if (!insecureListener) {
          problems.add(
              key
                  + ": '"
                  + url
                  + "' is a plaintext listener; use "
                  + url.protocol().scheme()
                  + "s:// or "
                  + url.protocol().scheme()
                  + "+starttls://, or allow it on loopback with insecure-listener: true");
        } else if (!url.isLoopback()) {
          problems.add(key + ": '" + url + "' is plaintext and not on loopback, which is refused");
        }
      }
    }
    for (int i = 0; i < listeners.size(); i++) {
      for (int j = 0; j < i; j++) {
        Endpoint a = listeners.get(i).url();
        Endpoint b = listeners.get(j).url();
        if (a.port() != 0 && a.port() == b.port() && a.host().equals(b.host())) {
          problems.add("listeners[" + i + "].url: '" + a + "' uses the same address as " + b);
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return this;
  }
}
