package io.portcullis.tls;

import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An implicit-TLS echo listener for external scanners (openssl s_client, testssl.sh): {@code
 * InteropServer PROVIDER PORT [DATADIR]}. Serves a self-signed certificate for localhost until
 * killed.
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
    Path data =
        args.length > 2 ? Path.of(args[2]) : Files.createTempDirectory("portcullis-interop");
    ServerTlsSettings settings =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            provider,
            Optional.empty(),
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
