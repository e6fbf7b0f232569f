package io.portcullis.tls;

import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An implicit-TLS echo listener for external scanners (openssl s_client, testssl.sh): {@code
 * InteropServer PROVIDER PORT DIR}. Serves a certificate for localhost issued by a test CA that it
 * writes to {@code DIR/ca.pem} (for {@code testssl --add-ca}), until killed.
 */
public final class InteropServer {
  private InteropServer() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Exception e) {
      // Netty's event loop threads are not daemons: exit explicitly so a failed start does not
      // hang.
      System.err.println("InteropServer failed: " + e);
      System.exit(1);
    }
  }

  private static void run(String[] args) throws Exception {
    TlsProvider provider = TlsProvider.valueOf(args[0]);
    int port = Integer.parseInt(args[1]);
    Path data = Files.createDirectories(Path.of(args[2]));
    TestPki pki = TestPki.newCa("Portcullis Interop CA");
    TestPki.writeChain(data.resolve("ca.pem"), List.of(pki.rootCertificate()));
    CertificateSource source =
        TestPki.writePem(
            data, "server", pki.issue(TestPki.Spec.server("localhost").withIps("127.0.0.1")));
    ServerTlsSettings settings =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            provider,
            Optional.of(source),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of("localhost"));
    ServerTls tls = ServerTls.start(settings, data);
    TestServer server = TestServer.start(() -> tls.newHandler(ByteBufAllocator.DEFAULT), port);
    System.out.println("READY " + tls.providerName() + " on port " + server.port());
    Thread.currentThread().join();
  }
}
