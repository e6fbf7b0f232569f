package io.portcullis.gateway.server;

import io.micrometer.core.instrument.Gauge;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portcullis.auth.AuthSettings;
import io.portcullis.auth.Authenticator;
import io.portcullis.auth.oauth.OAuthBroker;
import io.portcullis.auth.oauth.OAuthSettings;
import io.portcullis.auth.sasl.SaslLimits;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.auth.secret.SecretBox;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.codec.LineFramer;
import io.portcullis.gateway.config.ConfigException;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.Protocol;
import io.portcullis.gateway.config.ProxyProtocolConfig;
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.config.TlsConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.filtering.FilterStores;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.imap.scan.SideConnectionPool;
import io.portcullis.gateway.login.AuthenticatorLoginGate;
import io.portcullis.gateway.login.LoginGate;
import io.portcullis.gateway.login.PolicyLoginGate;
import io.portcullis.gateway.metrics.GatewayMetrics;
import io.portcullis.gateway.metrics.MetricsServer;
import io.portcullis.gateway.pop3.Pop3FrontEnd;
import io.portcullis.gateway.session.ClientSession;
import io.portcullis.gateway.upstream.OAuthMetrics;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.policy.Cidr;
import io.portcullis.policy.Policy;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.PolicyException;
import io.portcullis.policy.PolicyLoader;
import io.portcullis.tls.CertificateInfo;
import io.portcullis.tls.CertificateSource;
import io.portcullis.tls.ClientAuthMode;
import io.portcullis.tls.ServerTls;
import io.portcullis.tls.ServerTlsSettings;
import io.portcullis.tls.TlsException;
import io.portcullis.tls.TlsProfile;
import io.portcullis.tls.TlsProvider;
import io.portcullis.tls.UpstreamTls;
import io.portcullis.tls.UpstreamTlsSettings;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running gateway: binds every listener, owns the event loops, TLS contexts and upstream
 * connectors, and shuts down gracefully. Thread-safe.
 */
public final class GatewayServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GatewayServer.class);

  /** How often watched files are checked for changes (SIGHUP reloads at once). */
  private static final Duration RELOAD_POLL = Duration.ofSeconds(2);

  private final GatewayConfig config;
  private final Transports transports;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final ServerTls serverTls;
  private final Map<Protocol, Map<String, UpstreamConnector>> upstreams;
  private final ConnectionLimiter limiter;
  private final ChannelGroup serverChannels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final ChannelGroup sessions = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private final Map<Endpoint, InetSocketAddress> bound = new LinkedHashMap<>();
  private final AuditLog audit;
  private final Authenticator authenticator;
  private final Optional<OAuthBroker> broker;
  private final LoginGate loginGate;
  private final Reloader reloader = new Reloader(RELOAD_POLL);
  private final AtomicReference<PolicyEngine> policy;
  private final MessageFilter messageFilter;
  private final SideConnectionPool sideConnections = new SideConnectionPool();
  private final GatewayMetrics metrics;
  private MetricsServer metricsServer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<ServerTls> ownTls = new ArrayList<>();

  private GatewayServer(GatewayConfig config, Clock clock) throws ConfigException, TlsException {
    this.config = config.checkRunnable();
    this.transports = Transports.best();
    this.metrics = new GatewayMetrics();
    this.audit = new AuditLog(clock, metrics.registry());
    Gauge.builder("portcullis.sessions", sessions, ChannelGroup::size)
        .description("Client sessions open now")
        .register(metrics.registry());
    AuthSettings authSettings;
    try {
      authSettings = config.auth().toSettings(config.dataDir());
      this.authenticator = Authenticator.builder(authSettings).clock(clock).build();
    } catch (RuntimeException e) {
      throw new ConfigException("auth: " + e.getMessage());
    }
    this.broker = oauthBroker(config, authSettings, clock);
    broker.ifPresent(b -> OAuthMetrics.register(metrics.registry(), b));
    this.policy = new AtomicReference<>(new PolicyEngine(loadPolicy(config)));
    warnAboutUnknownRoutes(policy.get().policy(), config);
    this.loginGate =
        new PolicyLoginGate(
            new AuthenticatorLoginGate(authenticator, authSettings, broker),
            policy::get,
            user ->
                authenticator
                    .directory()
                    .flatMap(d -> d.find(user))
                    .map(io.portcullis.auth.directory.UserRecord::groups)
                    .orElse(Set.of()),
            audit,
            clock);
    if (config.policy() != null) {
      reloader.watch(
          "policy",
          config.policy(),
          () -> {
            try {
              policy.set(new PolicyEngine(PolicyLoader.load(config.policy())));
            } catch (PolicyException e) {
              throw new IllegalStateException(e.getMessage(), e);
            }
          });
    }
    authenticator.directory().ifPresent(d -> reloader.watch("user directory", d.file(), d::reload));
    this.messageFilter = FilterStores.open(config, audit, clock);
    this.limiter =
        new ConnectionLimiter(
            config.limits().maxConnections(), config.limits().maxConnectionsPerSource());
    this.upstreams = connectors(config, transports);
    boolean anyTls =
        config.listeners().stream().anyMatch(l -> l.url().security() != Security.PLAINTEXT);
    this.serverTls = anyTls ? ServerTls.start(serverTlsSettings(config), config.dataDir()) : null;
    this.boss = transports.newGroup(1);
    // One event loop per core, as nginx runs one worker per core: nothing blocks a loop, so more
    // loops than cores only add sleeps and wake-ups (measured: docs/performance.md).
    this.workers =
        transports.newGroup(
            Integer.getInteger(
                "io.netty.eventLoopThreads", Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Starts every listener.
   *
   * @throws ConfigException if the configuration cannot run
   * @throws TlsException if certificates cannot be loaded or generated
   * @throws InterruptedException if interrupted while binding
   */
  public static GatewayServer start(GatewayConfig config, Clock clock)
      throws ConfigException, TlsException, InterruptedException {
    GatewayServer server = new GatewayServer(config, clock);
    try {
      server.bindAll();
    } catch (RuntimeException | InterruptedException | ConfigException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private void bindAll() throws InterruptedException, ConfigException {
    if (config.metrics().address().isPresent()) {
      InetSocketAddress address = config.metrics().address().get();
      try {
        metricsServer = MetricsServer.start(address, metrics);
      } catch (java.io.IOException e) {
        throw new ConfigException(
            "metrics.listen: cannot listen on " + config.metrics().listen() + " (" + e + ")");
      }
      LOG.info("metrics on http://{}/metrics", config.metrics().listen());
    }
    for (UpstreamConfig u : config.upstreams()) {
      if (!u.tls().verify()) {
        LOG.warn(
            "TLS CERTIFICATE VERIFICATION IS DISABLED for upstream {}: its identity is not checked",
            u.url());
      }
    }
    for (ListenerConfig listener : config.listeners()) {
      if (listener.url().security() == Security.PLAINTEXT) {
        LOG.warn("plaintext listener {} (loopback only, insecure-listener is set)", listener.url());
      }
      ListenerContext context;
      try {
        context = contextFor(listener);
      } catch (TlsException e) {
        throw new ConfigException("listeners: " + listener.url() + ": " + e.getMessage());
      }
      ServerBootstrap bootstrap =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(transports.serverChannel())
              .option(ChannelOption.SO_BACKLOG, 1024)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.SO_KEEPALIVE, true)
              .childHandler(initializer(context));
      Endpoint url = listener.url();
      Channel channel;
      try {
        channel = bootstrap.bind(url.host(), url.port()).sync().channel();
      } catch (Exception e) {
        throw new ConfigException(
            "listeners: cannot listen on " + url + " (" + e.getMessage() + ")");
      }
      serverChannels.add(channel);
      bound.put(url, (InetSocketAddress) channel.localAddress());
      LOG.info("listening on {} ({})", url, transports.name());
    }
  }

  private ListenerContext contextFor(ListenerConfig listener) throws TlsException {
    return new ListenerContext(
        listener,
        Optional.ofNullable(
            listener.url().security() == Security.PLAINTEXT ? null : tlsFor(listener)),
        loginGate,
        upstreams.getOrDefault(listener.url().protocol(), Map.of()),
        audit,
        config.limits(),
        new SaslLimits(config.limits().preAuthLineLength(), 16 * 1024),
        messageFilter,
        config.filter(),
        sideConnections);
  }

  /**
   * The shared TLS context, or one of the listener's own when it asks for client certificates
   * (mutual TLS is a property of the context, so such a listener cannot share it).
   */
  private ServerTls tlsFor(ListenerConfig listener) throws TlsException {
    if (listener.tls().clientAuth().equals("none")) {
      return serverTls;
    }
    ServerTlsSettings shared = serverTlsSettings(config);
    ServerTls own =
        ServerTls.start(
            new ServerTlsSettings(
                shared.profile(),
                shared.provider(),
                shared.defaultCertificate(),
                shared.sniCertificates(),
                ClientAuthMode.valueOf(listener.tls().clientAuth().toUpperCase(Locale.ROOT)),
                Optional.of(listener.tls().clientCa()),
                shared.selfSignedHostNames()),
            config.dataDir());
    ownTls.add(own);
    return own;
  }

  private ChannelInitializer<SocketChannel> initializer(ListenerContext context) {
    // Parsed once per listener, not per connection.
    ProxyProtocolConfig proxy = context.listener().proxyProtocol();
    List<Cidr> proxyPeers = proxy == null ? List.of() : proxy.networks();
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(SocketChannel ch) {
        sessions.add(ch);
        ClientSession.attach(ch, context.listener());
        ChannelPipeline p = ch.pipeline();
        if (proxy != null) {
          // Before the limiter: per-source caps count the real client, not the balancer.
          p.addLast(new HAProxyMessageDecoder());
          p.addLast(new ProxyProtocolHandler(proxyPeers, proxy.timeoutDuration(), audit));
        }
        p.addLast(limiter);
        if (context.listener().url().security() == Security.IMPLICIT_TLS) {
          p.addLast(HandlerNames.TLS, context.tls().orElseThrow().newHandler(ch.alloc()));
        }
        p.addLast(HandlerNames.FRAMER, new LineFramer(context.limits().preAuthLineLength()));
        switch (context.listener().url().protocol()) {
          case POP3 -> p.addLast(HandlerNames.FRONT_END, new Pop3FrontEnd(context));
          case IMAP -> io.portcullis.gateway.imap.ImapFrontEnd.install(p, context);
        }
      }
    };
  }

  /** The address a listener actually bound (port 0 in the config means any free port). */
  public InetSocketAddress boundAddress(Endpoint listener) {
    InetSocketAddress address = bound.get(listener);
    if (address == null) {
      throw new IllegalArgumentException("no listener " + listener);
    }
    return address;
  }

  /** The certificate served by default, when any listener uses TLS. */
  public Optional<CertificateInfo> certificate() {
    return Optional.ofNullable(serverTls).map(ServerTls::defaultCertificate);
  }

  /** The TLS implementation in use for listeners. */
  public Optional<String> tlsProvider() {
    return Optional.ofNullable(serverTls).map(ServerTls::providerName);
  }

  /** Sessions open now. */
  public int openSessions() {
    return sessions.size();
  }

  /**
   * Stops accepting, lets sessions finish for up to the configured grace period, then closes the
   * rest and releases every resource.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    serverChannels.close().awaitUninterruptibly();
    long deadline = System.nanoTime() + config.limits().shutdownGrace().toNanos();
    if (!sessions.isEmpty()) {
      LOG.info(
          "waiting up to {} for {} sessions", config.limits().shutdownGrace(), sessions.size());
    }
    while (!sessions.isEmpty() && System.nanoTime() < deadline) {
      sessions.newCloseFuture().awaitUninterruptibly(100, TimeUnit.MILLISECONDS);
    }
    sessions.close().awaitUninterruptibly();
    sideConnections.close();
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
    if (serverTls != null) {
      serverTls.close();
    }
    ownTls.forEach(ServerTls::close);
    reloader.close();
    authenticator.close();
    broker.ifPresent(OAuthBroker::close);
    if (messageFilter != null) {
      messageFilter.close();
    }
    if (metricsServer != null) {
      metricsServer.close();
    }
    metrics.close();
  }

  /** Where the metrics endpoint listens, if one is configured. */
  public Optional<InetSocketAddress> metricsAddress() {
    return Optional.ofNullable(metricsServer).map(MetricsServer::address);
  }

  /** A route the policy can choose that no upstream of any protocol answers to fails logins. */
  private static void warnAboutUnknownRoutes(Policy policy, GatewayConfig config) {
    for (String name : policy.upstreamNames()) {
      if (config.upstreams().stream().noneMatch(u -> u.name().equals(name))) {
        LOG.warn(
            "policy names upstream '{}' but no upstream in the configuration is named so;"
                + " sessions routed there will fail",
            name);
      }
    }
  }

  private static Policy loadPolicy(GatewayConfig config) throws ConfigException {
    if (config.policy() == null) {
      return Policy.builtInDefault();
    }
    try {
      Policy loaded = PolicyLoader.load(config.policy());
      loaded.warnings().forEach(w -> LOG.warn("policy: {}", w));
      return loaded;
    } catch (PolicyException e) {
      throw new ConfigException("policy: " + e.getMessage());
    }
  }

  /** The OAuth broker of {@code oauth:}, if configured; a refused token store stops startup. */
  private static Optional<OAuthBroker> oauthBroker(
      GatewayConfig config, AuthSettings authSettings, Clock clock) throws ConfigException {
    if (config.oauth() == null) {
      return Optional.empty();
    }
    try {
      OAuthSettings settings = config.oauth().toSettings(config.dataDir(), authSettings.keyFile());
      MasterKey key =
          settings.keyFile().map(MasterKey::fromFile).orElseGet(MasterKey::fromEnvironment);
      OAuthBroker broker = OAuthBroker.create(settings, new SecretBox(key), clock);
      var stored = broker.store().statuses();
      for (String account : settings.accounts().keySet()) {
        if (stored.get(account) == null || !stored.get(account).refreshToken()) {
          LOG.warn(
              "oauth account {} is not authorised; run `portcullis oauth authorize {}`",
              account,
              account);
        }
      }
      LOG.info(
          "oauth: {} accounts, token store {}", settings.accounts().size(), settings.storeFile());
      return Optional.of(broker);
    } catch (RuntimeException e) {
      throw new ConfigException("oauth: " + e.getMessage());
    }
  }

  private static Map<Protocol, Map<String, UpstreamConnector>> connectors(
      GatewayConfig config, Transports transports) throws TlsException {
    Map<Protocol, Map<String, UpstreamConnector>> map = new EnumMap<>(Protocol.class);
    for (UpstreamConfig u : config.upstreams()) {
      Optional<UpstreamTls> tls = Optional.empty();
      if (u.url().security() != Security.PLAINTEXT) {
        tls =
            Optional.of(
                UpstreamTls.create(
                    new UpstreamTlsSettings(
                        Optional.ofNullable(u.tls().ca()),
                        u.tls().verify(),
                        u.tls().pins(),
                        provider(config.tls()),
                        TlsProfile.valueOf(u.tls().profile().toUpperCase(Locale.ROOT)))));
      }
      map.computeIfAbsent(u.url().protocol(), p -> new LinkedHashMap<>())
          .put(
              u.name(), new UpstreamConnector(u, tls, transports.clientChannel(), config.limits()));
    }
    return map;
  }

  static ServerTlsSettings serverTlsSettings(GatewayConfig config) {
    TlsConfig tls = config.tls();
    Optional<CertificateSource> defaultCertificate = Optional.empty();
    Map<String, CertificateSource> sni = new LinkedHashMap<>();
    for (TlsConfig.CertificateConfig c : tls.certificates()) {
      CertificateSource source =
          new CertificateSource(
              c.cert(), c.key() == null ? c.cert() : c.key(), Optional.ofNullable(c.passphrase()));
      if (c.names().isEmpty() && defaultCertificate.isEmpty()) {
        defaultCertificate = Optional.of(source);
      }
      c.names().forEach(name -> sni.put(name, source));
    }
    if (defaultCertificate.isEmpty() && !tls.certificates().isEmpty()) {
      TlsConfig.CertificateConfig first = tls.certificates().get(0);
      defaultCertificate =
          Optional.of(
              new CertificateSource(
                  first.cert(),
                  first.key() == null ? first.cert() : first.key(),
                  Optional.ofNullable(first.passphrase())));
    }
    List<String> hostNames = new ArrayList<>(List.of("localhost"));
    hostNames.addAll(tls.hostNames());
    return new ServerTlsSettings(
        TlsProfile.valueOf(tls.profile().toUpperCase(Locale.ROOT)),
        provider(tls),
        defaultCertificate,
        sni,
        ClientAuthMode.NONE,
        Optional.empty(),
        hostNames);
  }

  private static TlsProvider provider(TlsConfig tls) {
    return TlsProvider.valueOf(tls.provider().toUpperCase(Locale.ROOT));
  }
}
