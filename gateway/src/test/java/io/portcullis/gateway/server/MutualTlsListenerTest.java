package io.portcullis.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import io.portcullis.tls.SelfSignedCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listeners[].tls.client-auth wires mutual TLS per listener (docs/tls.md). */
class MutualTlsListenerTest {
  @TempDir Path dataDir;
  @TempDir Path caDir;

  @Test
  void listenerRequiringClientCertificatesShouldRefuseAClientWithout() throws Exception {
    Path clientCa =
        SelfSignedCertificates.generate(caDir, List.of("client-ca"), Clock.systemUTC())
            .certificateChain();
    Endpoint strict = Endpoint.parse("pop3s://127.0.0.1:0");
    Endpoint open = Endpoint.parse("pop3+starttls://127.0.0.1:0");
    GatewayConfig config =
        new GatewayConfig(
            dataDir,
            List.of(
                new ListenerConfig(
                    strict, "partners", new ListenerConfig.ListenerTlsConfig("required", clientCa)),
                new ListenerConfig(open)),
            List.of(new UpstreamConfig(Endpoint.parse("pop3://127.0.0.1:9"), null)),
            null,
            null,
            false,
            null,
            null);
    try (GatewayServer server = GatewayServer.start(config, Clock.systemUTC())) {
      var trust = GatewayFixture.trusting(dataDir.resolve("tls").resolve("cert.pem"));
      assertThatThrownBy(
              () -> {
                try (LineClient c = LineClient.tls(server.boundAddress(strict), trust)) {
                  c.readLine();
                }
              })
          .isInstanceOf(IOException.class);
      try (LineClient c = LineClient.plain(server.boundAddress(open))) {
        assertThat(c.readLine()).startsWith("+OK");
      }
    }
  }
}
