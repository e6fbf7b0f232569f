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

  @Test
  void policyRequiringAClientCertificateShouldRefuseAPasswordLoginWithoutOne() throws Exception {
    Path clientCa =
        SelfSignedCertificates.generate(caDir, List.of("client-ca"), Clock.systemUTC())
            .certificateChain();
    Path policy = dataDir.resolve("policy.yml");
    java.nio.file.Files.writeString(
        policy,
        "version: 1\ndefaults:\n  access:\n    decision: allow\n"
            + "    client-certificate: required\n");
    com.icegreen.greenmail.util.GreenMail upstream =
        new com.icegreen.greenmail.util.GreenMail(
            new com.icegreen.greenmail.util.ServerSetup[] {
              new com.icegreen.greenmail.util.ServerSetup(0, "127.0.0.1", "pop3").dynamicPort()
            });
    upstream.start();
    upstream.setUser("erin@localhost", "erin", "erin-pw");
    Endpoint optional = Endpoint.parse("pop3s://127.0.0.1:0");
    GatewayConfig config =
        new GatewayConfig(
            dataDir,
            List.of(
                new ListenerConfig(
                    optional, "main", new ListenerConfig.ListenerTlsConfig("optional", clientCa))),
            List.of(
                new UpstreamConfig(
                    Endpoint.parse("pop3://127.0.0.1:" + upstream.getPop3().getPort()), null)),
            null,
            null,
            false,
            null,
            policy);
    try (io.portcullis.gateway.testing.CapturedLogs logs =
            new io.portcullis.gateway.testing.CapturedLogs();
        GatewayServer server = GatewayServer.start(config, Clock.systemUTC())) {
      var trust = GatewayFixture.trusting(dataDir.resolve("tls").resolve("cert.pem"));
      try (LineClient c = LineClient.tls(server.boundAddress(optional), trust)) {
        c.readLine();
        c.send("USER erin\r\nPASS erin-pw\r\n");
        c.readLine();
        assertThat(c.readLine()).startsWith("-ERR");
      }
      assertThat(logs.audit())
          .anyMatch(l -> l.contains("policy-client-certificate-required (rule defaults)"));
    } finally {
      upstream.stop();
    }
  }
}
