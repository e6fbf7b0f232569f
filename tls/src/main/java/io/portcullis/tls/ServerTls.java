package io.portcullis.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running server TLS context for one listener: certificates (with SNI), profile, provider, client
 * certificates, rotating session-ticket keys, and reload of certificate files when they change. New
 * handshakes use the newest valid certificates; open sessions are never touched. Thread-safe.
 */
public final class ServerTls implements AutoCloseable {
  /** Certificates closer than this to expiry are logged as WARN at every load. */
  public static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  /**
   * File changes closer together than this cause one reload (chain and key are rarely renamed at
   * once).
   */
  static final Duration DEBOUNCE = Duration.ofMillis(500);

  /** Files are also compared this often, for file systems where WatchService sees no events. */
  static final Duration POLL = Duration.ofMinutes(1);

  /**
   * A client that has not finished its handshake by then is dropped (pre-auth budget, THREATS P8).
   */
  static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

  /** Subdirectory of the data directory that holds the generated self-signed certificate. */
  static final String SELF_SIGNED_DIRECTORY = "tls";

  private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);

  /** What a reload did. */
  enum ReloadOutcome {
    /** New files were valid and are now used for new handshakes. */
    RELOADED,
    /** The files have the same content as at the last attempt. */
    UNCHANGED,
    /** New files were invalid; the previous certificates are still served. */
    FAILED
  }

  /** Everything built from one consistent reading of the files. */
  private record Generation(
      SslContext defaultContext,
      CertificateInfo defaultInfo,
      Map<String, CertificateInfo> sniInfo,
      Mapping<String, SslContext> mapping,
      boolean sni) {}

  private final ServerTlsSettings settings;
  private final Path dataDir;
  private final Clock clock;
  private final Map<String, String> environment;
  private final ResolvedProvider provider;
  private final TicketKeyRotator tickets;
  private final ScheduledExecutorService scheduler;
  private final List<Consumer<ReloadOutcome>> reloadListeners = new CopyOnWriteArrayList<>();
  private final CertificateWatcher watcher;
  private final Mapping<String, SslContext> liveMapping;
  private volatile Generation current;
  private byte[] lastDigest; // guarded by this

  private ServerTls(
      ServerTlsSettings settings,
      Path dataDir,
      Clock clock,
      Map<String, String> environment,
      Duration debounce)
      throws TlsException {
    this.settings = settings;
    this.dataDir = dataDir;
    this.clock = clock;
    this.environment = Map.copyOf(environment);
    this.provider = ResolvedProvider.resolve(settings.provider());
    this.tickets = new TicketKeyRotator(clock);
    this.liveMapping = name -> current.mapping().map(name);
    synchronized (this) {
      lastDigest = digest(files());
      current = build();
    }
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("portcullis-tls-reload").unstarted(r));
    try {
      this.watcher = new CertificateWatcher(files(), this::reloadQuietly, scheduler, debounce);
    } catch (TlsException e) {
      scheduler.shutdownNow();
      throw e;
    }
    scheduler.scheduleWithFixedDelay(
        this::reloadQuietly, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
    scheduler.scheduleWithFixedDelay(tickets::rotateIfDue, 1, 1, TimeUnit.MINUTES);
    // Long-running servers: repeat the expiry warning daily, not only when files change.
    scheduler.scheduleWithFixedDelay(this::warnAboutExpiry, 1, 1, TimeUnit.DAYS);
    LOG.info(
        "TLS: provider {}, profile {}, certificate {} (SHA-256 {}, expires {}){}",
        provider.name(),
        settings.profile(),
        current.defaultInfo().subject(),
        current.defaultInfo().sha256Fingerprint(),
        current.defaultInfo().notAfter(),
        current.sni() ? ", SNI names " + current.sniInfo().keySet() : "");
  }

  /**
   * Loads every configured certificate (or generates a self-signed one under {@code dataDir/tls}),
   * builds the contexts and starts watching the files.
   *
   * @throws TlsException when a certificate or key cannot be used, naming the file and the problem
   */
  public static ServerTls start(ServerTlsSettings settings, Path dataDir) throws TlsException {
    return start(settings, dataDir, Clock.systemUTC());
  }

  /**
   * As {@link #start(ServerTlsSettings, Path)}, with the clock used for expiry warnings,
   * self-signed validity and ticket-key rotation.
   *
   * @throws TlsException when a certificate or key cannot be used, naming the file and the problem
   */
  public static ServerTls start(ServerTlsSettings settings, Path dataDir, Clock clock)
      throws TlsException {
    return start(settings, dataDir, clock, System.getenv(), DEBOUNCE);
  }

  static ServerTls start(
      ServerTlsSettings settings,
      Path dataDir,
      Clock clock,
      Map<String, String> environment,
      Duration debounce)
      throws TlsException {
    return new ServerTls(settings, dataDir, clock, environment, debounce);
  }

  /**
   * A new handler for one connection: an {@link SslHandler}, or an SNI handler that replaces itself
   * with one, under the same pipeline name, once the ClientHello names a server. Either way the
   * pipeline ends up with an SslHandler that fires {@code SslHandshakeCompletionEvent}.
   */
  public ChannelHandler newHandler(ByteBufAllocator alloc) {
    Generation generation = current;
    if (!generation.sni()) {
      SslHandler handler = generation.defaultContext().newHandler(alloc);
      handler.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
      return handler;
    }
    // The mapping reads the newest generation when the ClientHello arrives, not when the connection
    // opened.
    return new NamedSniHandler(liveMapping, HANDSHAKE_TIMEOUT_MILLIS);
  }

  /** The default certificate in use now. */
  public CertificateInfo defaultCertificate() {
    return current.defaultInfo();
  }

  /** Every certificate in use now, default first (for expiry metrics). */
  public List<CertificateInfo> certificates() {
    Generation generation = current;
    List<CertificateInfo> all = new ArrayList<>();
    all.add(generation.defaultInfo());
    all.addAll(generation.sniInfo().values());
    return List.copyOf(all);
  }

  /**
   * The certificate a client naming {@code serverName} gets now (SNI, wildcards, else the default).
   */
  public CertificateInfo certificateFor(String serverName) {
    Generation generation = current;
    String name = serverName.toLowerCase(Locale.ROOT);
    CertificateInfo exact = generation.sniInfo().get(name);
    if (exact != null) {
      return exact;
    }
    int dot = name.indexOf('.');
    if (dot > 0) {
      CertificateInfo wildcard = generation.sniInfo().get("*" + name.substring(dot));
      if (wildcard != null) {
        return wildcard;
      }
    }
    return generation.defaultInfo();
  }

  /** The provider in use: {@code "OpenSSL (BoringSSL)"}, {@code "JDK"} or {@code "BCJSSE"}. */
  public String providerName() {
    return provider.name();
  }

  /**
   * The client certificate verified in the handshake of {@code handler}, if the handshake is done
   * and the client presented one (for SASL EXTERNAL).
   */
  public static Optional<X509Certificate> peerCertificate(SslHandler handler) {
    if (!handler.handshakeFuture().isSuccess()) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = handler.engine().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate leaf) {
        return Optional.of(leaf);
      }
    } catch (SSLPeerUnverifiedException e) {
      // No certificate was presented.
    }
    return Optional.empty();
  }

  /** Stops watching files and rotating ticket keys; handlers already made keep working. */
  @Override
  public void close() {
    watcher.close();
    scheduler.shutdownNow();
  }

  /** Reads the files again; keeps the current certificates unless every new one is valid. */
  synchronized ReloadOutcome reload() {
    ReloadOutcome outcome;
    byte[] digest = digest(files());
    if (Arrays.equals(digest, lastDigest)) {
      outcome = ReloadOutcome.UNCHANGED;
    } else {
      lastDigest = digest;
      try {
        Generation next = build();
        current = next;
        outcome = ReloadOutcome.RELOADED;
        LOG.info(
            "TLS: reloaded certificates; default {} (SHA-256 {}, expires {})",
            next.defaultInfo().subject(),
            next.defaultInfo().sha256Fingerprint(),
            next.defaultInfo().notAfter());
      } catch (TlsException | RuntimeException e) {
        outcome = ReloadOutcome.FAILED;
        LOG.error(
            "TLS: new certificate files rejected, still serving the previous ones: {}",
            e.getMessage());
      }
    }
    for (Consumer<ReloadOutcome> listener : reloadListeners) {
      listener.accept(outcome);
    }
    return outcome;
  }

  void addReloadListener(Consumer<ReloadOutcome> listener) {
    reloadListeners.add(listener);
  }

  TicketKeyRotator tickets() {
    return tickets;
  }

  SslContext defaultContext() {
    return current.defaultContext();
  }

  /** Logs a WARN for each certificate in use that is expired or expires within 30 days. */
  void warnAboutExpiry() {
    for (CertificateInfo info : certificates()) {
      if (info.expiresWithin(EXPIRY_WARNING, clock)) {
        LOG.warn(
            "TLS: certificate {} (SHA-256 {}) expires on {}; renew it",
            info.subject(),
            info.sha256Fingerprint(),
            info.notAfter());
      }
    }
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.error("TLS: reload failed unexpectedly", e);
    }
  }

  private Generation build() throws TlsException {
    List<X509Certificate> clientCas = List.of();
    if (settings.clientCaBundle().isPresent()) {
      clientCas = SslContexts.caBundle(settings.clientCaBundle().get());
    }
    CertificateSource defaultSource = defaultSource();
    KeyMaterial defaultMaterial = load(defaultSource);
    SslContext defaultContext = context(defaultMaterial, clientCas);
    DomainWildcardMappingBuilder<SslContext> mapping =
        new DomainWildcardMappingBuilder<>(defaultContext);
    Map<String, CertificateInfo> sniInfo = new LinkedHashMap<>();
    for (var entry : settings.sniCertificates().entrySet()) {
      KeyMaterial material = load(entry.getValue());
      mapping.add(entry.getKey(), context(material, clientCas));
      sniInfo.put(entry.getKey(), CertificateInfo.of(material.leaf()));
    }
    return new Generation(
        defaultContext,
        CertificateInfo.of(defaultMaterial.leaf()),
        Map.copyOf(sniInfo),
        mapping.build(),
        !sniInfo.isEmpty());
  }

  private CertificateSource defaultSource() throws TlsException {
    if (settings.defaultCertificate().isPresent()) {
      return settings.defaultCertificate().get();
    }
    return SelfSignedCertificates.loadOrGenerate(
        dataDir.resolve(SELF_SIGNED_DIRECTORY), settings.selfSignedHostNames(), clock);
  }

  private KeyMaterial load(CertificateSource source) throws TlsException {
    KeyMaterial material = KeyMaterialLoader.load(source, environment);
    warnAboutValidity(source, material.leaf());
    return material;
  }

  private SslContext context(KeyMaterial material, List<X509Certificate> clientCas)
      throws TlsException {
    SslContext context =
        SslContexts.server(
            material, settings.profile(), provider, settings.clientAuth(), clientCas);
    tickets.register(context);
    return context;
  }

  private void warnAboutValidity(CertificateSource source, X509Certificate leaf) {
    CertificateInfo info = CertificateInfo.of(leaf);
    var now = clock.instant();
    if (now.isAfter(info.notAfter())) {
      LOG.warn(
          "TLS: certificate {} in {} EXPIRED on {}; clients will refuse it",
          info.subject(),
          source.certificateChain(),
          info.notAfter());
    } else if (now.isBefore(info.notBefore())) {
      LOG.warn(
          "TLS: certificate {} in {} is not valid before {}; clients will refuse it",
          info.subject(),
          source.certificateChain(),
          info.notBefore());
    } else if (info.expiresWithin(EXPIRY_WARNING, clock)) {
      LOG.warn(
          "TLS: certificate {} in {} expires in {} days, on {}",
          info.subject(),
          source.certificateChain(),
          Duration.between(now, info.notAfter()).toDays(),
          info.notAfter());
    }
  }

  private Set<Path> files() {
    Set<Path> files = new LinkedHashSet<>();
    List<CertificateSource> sources = new ArrayList<>(settings.sniCertificates().values());
    settings.defaultCertificate().ifPresent(sources::add);
    for (CertificateSource source : sources) {
      files.add(source.certificateChain());
      files.add(source.privateKey());
      source
          .keyPassphraseSource()
          .filter(s -> s.startsWith("file:"))
          .ifPresent(s -> files.add(Path.of(s.substring("file:".length()))));
    }
    settings.clientCaBundle().ifPresent(files::add);
    return files;
  }

  private static byte[] digest(Set<Path> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      for (Path file : files) {
        digest.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        try {
          digest.update(Files.readAllBytes(file));
        } catch (IOException e) {
          digest.update((byte) 0xFF); // missing now: a change worth an attempt when it comes back
        }
      }
      return digest.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
