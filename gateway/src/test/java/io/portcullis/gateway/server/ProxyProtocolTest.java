package io.portcullis.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.ProxyProtocolConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PROXY protocol v1/v2 from a trusted load balancer (DESIGN.md "Scale"). */
class ProxyProtocolTest {
  private static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");

  @TempDir Path dir;
  private GreenMail upstream;
  private GatewayServer gateway;

  @AfterEach
  void stop() {
    if (gateway != null) {
      gateway.close();
    }
    if (upstream != null) {
      upstream.stop();
    }
  }

  private InetSocketAddress start(List<String> trusted, String timeout, Integer perSource)
      throws Exception {
    upstream =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort()});
    upstream.start();
    upstream.setUser("carol@localhost", "carol", "s3cret-pass");
    GatewayLimits limits =
        new GatewayLimits(
            null, perSource, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null);
    GatewayConfig config =
        new GatewayConfig(
            dir,
            List.of(
                new ListenerConfig(POP3S, null, null, new ProxyProtocolConfig(trusted, timeout))),
            List.of(
                new UpstreamConfig(
                    Endpoint.parse("pop3://127.0.0.1:" + upstream.getPop3().getPort()), null)),
            null,
            limits,
            false,
            null,
            null);
    gateway = GatewayServer.start(config, Clock.systemUTC());
    return gateway.boundAddress(POP3S);
  }

  private SSLSocketFactory trust() throws Exception {
    return GatewayFixture.trusting(dir.resolve("tls").resolve("cert.pem"));
  }

  /** Sends {@code header} in plaintext, then TLS on the same connection, as a balancer does. */
  private LineClient throughBalancer(InetSocketAddress gw, byte[] header) throws Exception {
    Socket raw = new Socket();
    raw.connect(gw, 5_000);
    raw.setSoTimeout(10_000);
    raw.getOutputStream().write(header);
    raw.getOutputStream().flush();
    SSLSocket tls = (SSLSocket) trust().createSocket(raw, gw.getHostString(), gw.getPort(), true);
    tls.startHandshake();
    return LineClient.of(tls);
  }

  private static byte[] v1(String client) {
    return ("PROXY TCP4 " + client + " 127.0.0.1 40000 995\r\n")
        .getBytes(StandardCharsets.US_ASCII);
  }

  /** A PROXY v2 header for TCP over IPv4 (HAProxy's proxy-protocol.txt section 2.2). */
  private static byte[] v2(byte[] client, int port) {
    ByteBuffer b = ByteBuffer.allocate(16 + 12);
    b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
    b.put((byte) 0x21); // version 2, PROXY
    b.put((byte) 0x11); // AF_INET, STREAM
    b.putShort((short) 12);
    b.put(client).put(new byte[] {127, 0, 0, 1});
    b.putShort((short) port).putShort((short) 995);
    return b.array();
  }

  /** End of stream or a reset: either way the gateway closed without sending anything. */
  private static boolean closedByPeer(Socket s) throws IOException {
    try {
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException e) {
      return e.getMessage() != null && e.getMessage().contains("reset");
    }
  }

  private static void login(LineClient c) throws IOException {
    assertThat(c.readLine()).startsWith("+OK");
    c.send("USER carol\r\nPASS s3cret-pass\r\n");
    c.readLine();
    assertThat(c.readLine()).startsWith("+OK");
  }

  @Test
  void v2HeaderFromATrustedBalancerShouldMakeTheNamedClientTheSource() throws Exception {
    InetSocketAddress gw = start(List.of("127.0.0.0/8"), null, null);
    try (CapturedLogs logs = new CapturedLogs();
        LineClient c = throughBalancer(gw, v2(new byte[] {(byte) 203, 0, 113, 7}, 5555))) {
      login(c);

      assertThat(logs.audit())
          .anySatisfy(
              l -> assertThat(l).contains("\"event\":\"login\"", "\"source\":\"203.0.113.7\""));
    }
  }

  @Test
  void v1HeaderShouldWorkToo() throws Exception {
    InetSocketAddress gw = start(List.of("127.0.0.1/32"), null, null);
    try (CapturedLogs logs = new CapturedLogs();
        LineClient c = throughBalancer(gw, v1("198.51.100.9"))) {
      login(c);

      assertThat(logs.audit())
          .anySatisfy(l -> assertThat(l).contains("\"source\":\"198.51.100.9\""));
    }
  }

  @Test
  void perSourceLimitShouldCountProxiedClientsNotTheBalancer() throws Exception {
    InetSocketAddress gw = start(List.of("127.0.0.1/32"), null, 1);
    try (LineClient a = throughBalancer(gw, v1("198.51.100.1"));
        LineClient b = throughBalancer(gw, v1("198.51.100.2"))) {
      login(a);
      login(b);
      // The limiter closes the third connection before TLS: the handshake cannot complete (seen
      // as an SSLException or a reset, depending on when the close overtakes the ClientHello).
      assertThatThrownBy(() -> throughBalancer(gw, v1("198.51.100.1")).close())
          .isInstanceOf(IOException.class);
    }
  }

  @Test
  void connectionFromAnUntrustedPeerShouldBeClosedWithoutAGreeting() throws Exception {
    InetSocketAddress gw = start(List.of("192.0.2.0/24"), null, null);
    try (Socket s = new Socket()) {
      s.connect(gw, 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(v1("203.0.113.9"));
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void missingHeaderShouldCloseTheConnectionAfterTheTimeout() throws Exception {
    InetSocketAddress gw = start(List.of("127.0.0.1/32"), "300ms", null);
    try (Socket s = new Socket()) {
      s.connect(gw, 5_000);
      s.setSoTimeout(10_000);
      assertThat(closedByPeer(s)).isTrue();
    }
  }

  @Test
  void malformedHeaderShouldCloseTheConnection() throws Exception {
    InetSocketAddress gw = start(List.of("127.0.0.1/32"), null, null);
    try (Socket s = new Socket()) {
      s.connect(gw, 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream()
          .write("PROXY TCP4 not-an-address\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(closedByPeer(s)).isTrue();
    }
  }
}
