package io.portcullis.gateway.imap;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * A real gateway with imaps, imap+starttls and plaintext loopback IMAP listeners in front of an
 * upstream (by default a real GreenMail IMAP server holding the account demo / demo).
 */
final class GatewayFixture implements AutoCloseable {
  static final String USER = "demo";
  static final String PASSWORD = "demo";

  final GreenMail greenMail;
  final GreenMailUser user;
  final GatewayServer server;
  final Endpoint imaps;
  final Endpoint starttls;
  final Endpoint plain;

  private GatewayFixture(
      GreenMail greenMail, GreenMailUser user, GatewayServer server, Endpoint[] listeners) {
    this.greenMail = greenMail;
    this.user = user;
    this.server = server;
    this.imaps = listeners[0];
    this.starttls = listeners[1];
    this.plain = listeners[2];
  }

  /** Gateway in front of a fresh GreenMail IMAP upstream. */
  static GatewayFixture withGreenMail(Path dataDir) throws Exception {
    return withGreenMail(dataDir, GatewayLimits.defaults());
  }

  static GatewayFixture withGreenMail(Path dataDir, GatewayLimits limits) throws Exception {
    return withGreenMail(dataDir, limits, "127.0.0.1");
  }

  /** As {@link #withGreenMail(Path, GatewayLimits)}, listening on another loopback address. */
  static GatewayFixture withGreenMail(Path dataDir, GatewayLimits limits, String host)
      throws Exception {
    return withGreenMail(dataDir, limits, host, null);
  }

  /** A gateway with a policy file (null: the built-in default policy) in front of GreenMail. */
  static GatewayFixture withGreenMail(Path dataDir, GatewayLimits limits, String host, Path policy)
      throws Exception {
    GreenMail greenMail =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()});
    greenMail.start();
    GreenMailUser user = greenMail.setUser(USER + "@localhost", USER, PASSWORD);
    Endpoint upstream = Endpoint.parse("imap://127.0.0.1:" + greenMail.getImap().getPort());
    try {
      return start(
          dataDir, new UpstreamConfig(upstream, null), limits, greenMail, user, host, policy);
    } catch (Exception e) {
      greenMail.stop();
      throw e;
    }
  }

  /** Gateway in front of any upstream (e.g. a scripted one in a test). */
  static GatewayFixture withUpstream(Path dataDir, Endpoint upstream, GatewayLimits limits)
      throws Exception {
    return withUpstream(dataDir, new UpstreamConfig(upstream, null), limits);
  }

  static GatewayFixture withUpstream(Path dataDir, UpstreamConfig upstream, GatewayLimits limits)
      throws Exception {
    // A scripted upstream answers the relay's tests, not a scanner's side connection.
    return start(dataDir, upstream, limits, null, null, "127.0.0.1", noScanPolicy(dataDir));
  }

  /** A policy that scans nothing: the relay is exactly as without filtering. */
  static Path noScanPolicy(Path dir) throws IOException {
    Path policy = dir.resolve("no-scan-policy.yml");
    java.nio.file.Files.writeString(
        policy, "version: 1\ndefaults:\n  scanning: { scan: \"off\" }\n");
    return policy;
  }

  /**
   * Pass-through auth with millisecond failure delays and no blocks: these classes share one
   * gateway and fail logins on purpose; throttling itself is tested in Pop3AuthenticationTest.
   */
  static final AuthConfig FAST_THROTTLE =
      new AuthConfig(
          null,
          null,
          null,
          null,
          null,
          null,
          new AuthConfig.ThrottleConfig(
              Duration.ofMillis(1),
              Duration.ofMillis(5),
              null,
              100_000,
              null,
              100_000,
              null,
              100,
              null,
              null,
              null,
              null,
              null,
              null),
          null);

  private static GatewayFixture start(
      Path dataDir,
      UpstreamConfig upstream,
      GatewayLimits limits,
      GreenMail greenMail,
      GreenMailUser user,
      String host,
      Path policy)
      throws Exception {
    Endpoint[] listeners = {
      Endpoint.parse("imaps://" + host + ":" + freePort()),
      Endpoint.parse("imap+starttls://" + host + ":" + freePort()),
      Endpoint.parse("imap://" + host + ":" + freePort())
    };
    GatewayConfig config =
        new GatewayConfig(
            dataDir,
            List.of(
                new ListenerConfig(listeners[0]),
                new ListenerConfig(listeners[1]),
                new ListenerConfig(listeners[2])),
            List.of(upstream),
            null,
            limits,
            true,
            FAST_THROTTLE,
            policy);
    GatewayServer server = GatewayServer.start(config, Clock.systemUTC());
    return new GatewayFixture(greenMail, user, server, listeners);
  }

  /** Delivers a small text message to the demo account's INBOX upstream. */
  void deliver(String subject, String body) throws jakarta.mail.MessagingException {
    jakarta.mail.internet.MimeMessage m =
        new jakarta.mail.internet.MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()));
    m.setFrom("sender@localhost");
    m.setRecipients(jakarta.mail.Message.RecipientType.TO, USER + "@localhost");
    m.setSubject(subject);
    m.setText(body);
    user.deliver(m);
  }

  InetSocketAddress address(Endpoint listener) {
    return server.boundAddress(listener);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** One data directory per test run, so the self-signed certificate is made once. */
  static final Path SHARED_DATA_DIR;

  static {
    try {
      SHARED_DATA_DIR = java.nio.file.Files.createTempDirectory("portcullis-imap-test");
      Runtime.getRuntime().addShutdownHook(new Thread(GatewayFixture::deleteSharedDataDir));
    } catch (IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Limits with every default but the bad-command budget, login deadline and ID switch. */
  static GatewayLimits limits(
      int maxBadCommands, java.time.Duration loginTimeout, boolean forwardClientAddress) {
    return new GatewayLimits(
        null,
        null,
        null,
        null,
        null,
        maxBadCommands,
        null,
        loginTimeout,
        null,
        null,
        null,
        null,
        java.time.Duration.ZERO,
        null,
        null,
        null,
        forwardClientAddress);
  }

  private static void deleteSharedDataDir() {
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(SHARED_DATA_DIR)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temporary directory
    }
  }

  @Override
  public void close() {
    server.close();
    if (greenMail != null) {
      greenMail.stop();
    }
  }
}
