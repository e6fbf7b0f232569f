package io.portcullis.gateway.testing;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.FilterConfig;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real gateway on loopback (pop3s and pop3+starttls on free ports) in front of a real GreenMail
 * POP3 server, or in front of any upstream URL a test gives.
 */
public final class GatewayFixture implements AutoCloseable {
  public static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");
  public static final Endpoint POP3_STARTTLS = Endpoint.parse("pop3+starttls://127.0.0.1:0");

  private final GreenMail greenMail;
  private final GatewayServer gateway;
  private final Path dataDir;

  private GatewayFixture(GreenMail greenMail, GatewayServer gateway, Path dataDir) {
    this.greenMail = greenMail;
    this.gateway = gateway;
    this.dataDir = dataDir;
  }

  /** Gateway + GreenMail POP3 upstream with default limits. */
  public static GatewayFixture withGreenMail(Path dataDir) throws Exception {
    return withGreenMail(dataDir, GatewayLimits.defaults());
  }

  public static GatewayFixture withGreenMail(Path dataDir, GatewayLimits limits) throws Exception {
    return withGreenMail(dataDir, limits, null);
  }

  /** Gateway with the given {@code auth:} settings + GreenMail POP3 upstream. */
  public static GatewayFixture withGreenMail(Path dataDir, GatewayLimits limits, AuthConfig auth)
      throws Exception {
    return withGreenMail(dataDir, limits, auth, null);
  }

  /** Gateway with {@code auth:} settings and a policy file + GreenMail POP3 upstream. */
  public static GatewayFixture withGreenMail(
      Path dataDir, GatewayLimits limits, AuthConfig auth, Path policy) throws Exception {
    GreenMail greenMail =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort()});
    greenMail.start();
    try {
      Endpoint upstream = Endpoint.parse("pop3://127.0.0.1:" + greenMail.getPop3().getPort());
      return new GatewayFixture(
          greenMail,
          startGateway(dataDir, new UpstreamConfig(upstream, null), limits, auth, policy),
          dataDir);
    } catch (Exception e) {
      greenMail.stop();
      throw e;
    }
  }

  /** Gateway in front of any upstream, no GreenMail. */
  public static GatewayFixture withUpstream(
      Path dataDir, UpstreamConfig upstream, GatewayLimits limits) throws Exception {
    return withUpstream(dataDir, upstream, limits, null);
  }

  /** Gateway with a policy file in front of any upstream, no GreenMail. */
  public static GatewayFixture withUpstream(
      Path dataDir, UpstreamConfig upstream, GatewayLimits limits, Path policy) throws Exception {
    return new GatewayFixture(null, startGateway(dataDir, upstream, limits, null, policy), dataDir);
  }

  /** Gateway with {@code filter:} settings in front of any upstream, no GreenMail. */
  public static GatewayFixture withUpstreamFiltering(
      Path dataDir, UpstreamConfig upstream, GatewayLimits limits, FilterConfig filter)
      throws Exception {
    return new GatewayFixture(
        null, startGateway(dataDir, upstream, limits, null, null, filter), dataDir);
  }

  private static GatewayServer startGateway(
      Path dataDir, UpstreamConfig upstream, GatewayLimits limits, AuthConfig auth)
      throws Exception {
    return startGateway(dataDir, upstream, limits, auth, null);
  }

  private static GatewayServer startGateway(
      Path dataDir, UpstreamConfig upstream, GatewayLimits limits, AuthConfig auth, Path policy)
      throws Exception {
    return startGateway(dataDir, upstream, limits, auth, policy, null);
  }

  private static GatewayServer startGateway(
      Path dataDir,
      UpstreamConfig upstream,
      GatewayLimits limits,
      AuthConfig auth,
      Path policy,
      FilterConfig filter)
      throws Exception {
    GatewayConfig config =
        new GatewayConfig(
            dataDir,
            List.of(new ListenerConfig(POP3S), new ListenerConfig(POP3_STARTTLS)),
            List.of(upstream),
            null,
            limits,
            false,
            auth,
            policy,
            filter,
            null);
    return GatewayServer.start(config, Clock.systemUTC());
  }

  public GreenMailUser user(String login, String password) {
    return greenMail.setUser(login + "@localhost", login, password);
  }

  public GreenMail greenMail() {
    return greenMail;
  }

  public InetSocketAddress upstreamAddress() {
    return new InetSocketAddress("127.0.0.1", greenMail.getPop3().getPort());
  }

  public GatewayServer gateway() {
    return gateway;
  }

  public InetSocketAddress pop3s() {
    return gateway.boundAddress(POP3S);
  }

  public InetSocketAddress pop3Starttls() {
    return gateway.boundAddress(POP3_STARTTLS);
  }

  /** Trusts exactly the gateway's generated certificate. */
  public SSLSocketFactory trust() throws Exception {
    return trusting(dataDir.resolve("tls").resolve("cert.pem"));
  }

  /** A socket factory trusting the PEM certificate(s) in {@code pem}. */
  public static SSLSocketFactory trusting(Path pem) throws Exception {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(pem)) {
      int i = 0;
      for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("c" + i++, (X509Certificate) c);
      }
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx.getSocketFactory();
  }

  /** Logs in over implicit TLS with USER/PASS and returns the open session. */
  public LineClient login(String user, String password) throws Exception {
    LineClient c = LineClient.tls(pop3s(), trust());
    c.readLine();
    c.send("USER " + user + "\r\nPASS " + password + "\r\n");
    c.readLine();
    String answer = c.readLine();
    if (!answer.startsWith("+OK")) {
      throw new AssertionError("login failed: " + answer);
    }
    return c;
  }

  @Override
  public void close() {
    gateway.close();
    if (greenMail != null) {
      greenMail.stop();
    }
  }
}
