package io.portcullis.gateway.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.MetricsConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsEndpointTest {
  private static final Endpoint POP3S = Endpoint.parse("pop3s://127.0.0.1:0");

  @TempDir Path dir;

  @Test
  void loginsShouldBeCountedByOutcomeWithoutUserNamesInTheLabels() throws Exception {
    GreenMail upstream =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort()});
    upstream.start();
    upstream.setUser("carol@localhost", "carol", "s3cret-pass");
    GatewayConfig config =
        new GatewayConfig(
            dir,
            List.of(new ListenerConfig(POP3S)),
            List.of(
                new UpstreamConfig(
                    Endpoint.parse("pop3://127.0.0.1:" + upstream.getPop3().getPort()), null)),
            null,
            null,
            false,
            null,
            null,
            null,
            new MetricsConfig("127.0.0.1:0"));
    try (GatewayServer gateway = GatewayServer.start(config, Clock.systemUTC())) {
      InetSocketAddress pop3s = gateway.boundAddress(POP3S);
      var trust = GatewayFixture.trusting(dir.resolve("tls").resolve("cert.pem"));
      try (LineClient c = LineClient.tls(pop3s, trust)) {
        c.readLine();
        c.send("USER carol\r\n");
        c.readLine();
        c.send("PASS s3cret-pass\r\n");
        assertThat(c.readLine()).startsWith("+OK");
        c.send("QUIT\r\n");
        c.readLine();
      }
      try (LineClient c = LineClient.tls(pop3s, trust)) {
        c.readLine();
        c.send("USER carol\r\n");
        c.readLine();
        c.send("PASS wrong\r\n");
        assertThat(c.readLine()).startsWith("-ERR");
      }
      InetSocketAddress m = gateway.metricsAddress().orElseThrow();
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.getPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body())
          .containsPattern("portcullis_logins_total\\{[^}]*outcome=\"success\"[^}]*} 1\\.0")
          .containsPattern("portcullis_logins_total\\{[^}]*outcome=\"failure\"[^}]*} 1\\.0")
          .contains("portcullis_sessions ")
          .contains("jvm_memory_used_bytes")
          .doesNotContain("carol");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + m.getPort() + "/x"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(404);
    } finally {
      upstream.stop();
    }
  }
}
