package io.portcullis.gateway.cli;

import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.ConfigLoader;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.tls.TlsException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis serve}: runs the gateway until SIGTERM/SIGINT. */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Run the gateway. Settings come from --config and are overridden by flags.",
      "",
      "Listener and upstream addresses are URLs: pop3s://host:port (implicit TLS),"
          + " pop3+starttls://host:port (STLS required before login), pop3://host:port"
          + " (plaintext: upstreams, or loopback listeners with --insecure-listener), and the"
          + " same with imap, imaps, imap+starttls."
    })
final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file.")
  Path config;

  @Option(
      names = "--listen",
      paramLabel = "URL",
      description = "Listen on URL (repeatable; replaces the file's listeners).")
  List<String> listen = new ArrayList<>();

  @Option(
      names = "--upstream",
      paramLabel = "URL",
      description =
          "The default upstream server URL for its protocol (replaces the file's 'default' one).")
  List<String> upstream = new ArrayList<>();

  @Option(
      names = "--upstream-ca",
      paramLabel = "FILE",
      description = "Extra CA bundle (PEM) trusted for upstream certificates.")
  Path upstreamCa;

  @Option(names = "--cert", paramLabel = "FILE", description = "Certificate chain (PEM).")
  Path cert;

  @Option(names = "--key", paramLabel = "FILE", description = "Private key (PEM).")
  Path key;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Data directory (generated certificate, state). Default: portcullis-data")
  Path dataDir;

  @Option(
      names = "--policy",
      paramLabel = "FILE",
      description = "Policy file (access, routing, filtering); default: the built-in policy.")
  Path policy;

  @Option(
      names = "--insecure-listener",
      description = "Allow plaintext pop3:// and imap:// listeners on loopback addresses.")
  boolean insecureListener;

  @Override
  public Integer call() throws InterruptedException {
    GatewayConfig effective;
    try {
      effective = effectiveConfig();
    } catch (ConfigException | IllegalArgumentException e) {
      throw new CliException("invalid configuration:\n  " + e.getMessage().replace("\n", "\n  "));
    }
    run(effective, server -> {});
    return 0;
  }

  GatewayConfig effectiveConfig() throws ConfigException {
    GatewayConfig base = config == null ? GatewayConfig.empty() : ConfigLoader.load(config);
    return withFlags(base);
  }

  private GatewayConfig withFlags(GatewayConfig base) {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--cert and --key go together");
    }
    List<ListenerConfig> listeners = base.listeners();
    if (!listen.isEmpty()) {
      listeners = listen.stream().map(u -> new ListenerConfig(Endpoint.parse(u))).toList();
    }
    List<UpstreamConfig> upstreams = new ArrayList<>(base.upstreams());
    for (String u : upstream) {
      Endpoint url = Endpoint.parse(u);
      // The flag sets the protocol's default upstream; named ones from the file stay.
      upstreams.removeIf(
          existing ->
              existing.url().protocol() == url.protocol()
                  && existing.name().equals(UpstreamConfig.DEFAULT_NAME));
      upstreams.add(new UpstreamConfig(url, null));
    }
    if (upstreamCa != null) {
      upstreams =
          new ArrayList<>(
              upstreams.stream()
                  .map(
                      u ->
                          new UpstreamConfig(
                              u.name(),
                              u.url(),
                              new UpstreamConfig.UpstreamTlsConfig(
                                  upstreamCa, u.tls().verify(), u.tls().pins(), u.tls().profile())))
                  .toList());
    }
    TlsConfig tls = base.tls();
    if (cert != null) {
      List<TlsConfig.CertificateConfig> certificates = new ArrayList<>();
      certificates.add(new TlsConfig.CertificateConfig(cert, key, null, null));
      tls.certificates().stream().skip(1).forEach(certificates::add);
      tls = new TlsConfig(tls.profile(), tls.provider(), certificates, tls.hostNames());
    }
    // Every section the flags do not touch comes from the file as it is.
    return new GatewayConfig(
        dataDir == null ? base.dataDir() : dataDir,
        listeners,
        upstreams,
        tls,
        base.limits(),
        insecureListener || base.insecureListener(),
        base.auth(),
        policy == null ? base.policy() : policy,
        base.filter(),
        base.metrics(),
        base.oauth());
  }

  /**
   * Starts the gateway, prints its certificate, calls {@code started}, and blocks until the process
   * is told to stop (SIGTERM, SIGINT), then shuts down gracefully.
   */
  static void run(GatewayConfig config, Consumer<GatewayServer> started)
      throws InterruptedException {
    GatewayServer server;
    try {
      server = GatewayServer.start(config, Clock.systemUTC());
    } catch (ConfigException e) {
      throw new CliException("invalid configuration:\n  " + e.getMessage().replace("\n", "\n  "));
    } catch (TlsException e) {
      throw new CliException("TLS: " + e.getMessage());
    }
    server
        .certificate()
        .ifPresent(
            c ->
                System.out.printf(
                    "TLS certificate: %s%n  SHA-256 fingerprint: %s%n  provider: %s%n",
                    c.subject(), c.sha256Fingerprint(), server.tlsProvider().orElse("?")));
    started.accept(server);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "portcullis-shutdown"));
    stopped.await();
  }
}
