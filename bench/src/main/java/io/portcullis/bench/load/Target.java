package io.portcullis.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * Where sessions go: a loopback address and port speaking implicit TLS (RFC 8314), whose
 * certificate must chain to the given CA and name the address (RFC 6125 IP identity). Without
 * {@code resume} every connection gets a fresh client context, so each login pays a full handshake
 * on the proxy, as a fleet of different clients would. With {@code sources > 1} connections come
 * round-robin from 127.1.0.1, 127.1.0.2, …: per-address limits (connection caps, login throttling)
 * then see many clients, as in production, rather than one address opening thousands of sessions.
 * Thread-safe.
 *
 * @param protocol which client to speak
 * @param sources how many loopback source addresses to spread connections over (1: the default)
 */
record Target(
    Protocol protocol,
    InetSocketAddress address,
    TrustManager[] trust,
    boolean resume,
    SSLContext shared,
    Duration timeout,
    int sources,
    AtomicInteger nextSource) {

  enum Protocol {
    POP3,
    IMAP
  }

  Target {
    Objects.requireNonNull(protocol, "protocol");
    // The harness only ever talks to processes it started on this machine.
    if (!address.getAddress().isLoopbackAddress()) {
      throw new IllegalArgumentException("only loopback targets are allowed: " + address);
    }
    if (sources < 1 || sources > 65_000) {
      throw new IllegalArgumentException("sources must be 1..65000");
    }
  }

  static Target of(
      Protocol protocol, String host, int port, Path caPem, boolean resume, int sources)
      throws IOException, GeneralSecurityException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(host), port);
    TrustManager[] trust = trustManagers(caPem);
    SSLContext shared = SSLContext.getInstance("TLS");
    shared.init(null, trust, null);
    return new Target(
        protocol,
        address,
        trust,
        resume,
        shared,
        Duration.ofSeconds(60),
        sources,
        new AtomicInteger());
  }

  Target withTimeout(Duration newTimeout) {
    return new Target(protocol, address, trust, resume, shared, newTimeout, sources, nextSource);
  }

  /** Connects, completes the TLS handshake and returns the session's socket. */
  SSLSocket connect() throws IOException {
    SSLContext context = shared;
    if (!resume) {
      try {
        context = SSLContext.getInstance("TLS");
        context.init(null, trust, null);
      } catch (GeneralSecurityException e) {
        throw new IOException("TLS client context", e);
      }
    }
    Socket raw = new Socket();
    raw.setTcpNoDelay(true); // only the proxy's own Nagle behaviour should show in latencies
    if (sources > 1) {
      int n = Math.floorMod(nextSource.getAndIncrement(), sources) + 1;
      raw.bind(
          new InetSocketAddress(
              InetAddress.getByAddress(new byte[] {127, 1, (byte) (n >> 8), (byte) n}), 0));
    }
    raw.connect(address, (int) timeout.toMillis());
    raw.setSoTimeout((int) timeout.toMillis());
    String host = address.getAddress().getHostAddress();
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket(raw, host, address.getPort(), true);
    SSLParameters params = socket.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    socket.setSSLParameters(params);
    socket.startHandshake();
    return socket;
  }

  private static TrustManager[] trustManagers(Path caPem)
      throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    CertificateFactory x509 = CertificateFactory.getInstance("X.509");
    try (InputStream in = Files.newInputStream(caPem)) {
      int i = 0;
      for (Certificate cert : x509.generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) {
        throw new GeneralSecurityException("no certificate in " + caPem);
      }
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return factory.getTrustManagers();
  }
}
