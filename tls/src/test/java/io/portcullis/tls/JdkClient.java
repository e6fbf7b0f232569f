package io.portcullis.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A blocking JDK TLS client for server-side tests; can be restricted to any protocol or cipher. */
final class JdkClient {
  private JdkClient() {}

  static SSLContext trusting(X509Certificate anchor) throws Exception {
    return context(anchor, null, null);
  }

  static SSLContext context(
      X509Certificate anchor, PrivateKey clientKey, List<X509Certificate> clientChain)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", anchor);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    KeyManagerFactory kmf = null;
    if (clientKey != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client", clientKey, new char[] {'x'}, clientChain.toArray(X509Certificate[]::new));
      kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(keys, new char[] {'x'});
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    return context;
  }

  /**
   * A client that presents its certificate whatever CAs the server names in its CertificateRequest,
   * as an attacker would (the JDK's own key manager would quietly send nothing).
   */
  static SSLContext forcing(X509Certificate anchor, PrivateKey key, List<X509Certificate> chain)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", anchor);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    X509Certificate[] certificates = chain.toArray(X509Certificate[]::new);
    var keyManager =
        new javax.net.ssl.X509ExtendedKeyManager() {
          @Override
          public String[] getClientAliases(String keyType, java.security.Principal[] issuers) {
            return new String[] {"forced"};
          }

          @Override
          public String chooseClientAlias(
              String[] keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return "forced";
          }

          @Override
          public String[] getServerAliases(String keyType, java.security.Principal[] issuers) {
            return null;
          }

          @Override
          public String chooseServerAlias(
              String keyType, java.security.Principal[] issuers, java.net.Socket socket) {
            return null;
          }

          @Override
          public X509Certificate[] getCertificateChain(String alias) {
            return certificates;
          }

          @Override
          public PrivateKey getPrivateKey(String alias) {
            return key;
          }
        };
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new javax.net.ssl.KeyManager[] {keyManager}, tmf.getTrustManagers(), null);
    return context;
  }

  /** Connects and completes the handshake (throws if it fails). */
  static SSLSocket handshake(SSLContext context, int port, Consumer<SSLParameters> tweak)
      throws IOException {
    SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout(10_000);
    SSLParameters parameters = socket.getSSLParameters();
    tweak.accept(parameters);
    socket.setSSLParameters(parameters);
    try {
      socket.startHandshake();
      return socket;
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  static Consumer<SSLParameters> sni(String name) {
    return p -> p.setServerNames(List.of(new SNIHostName(name)));
  }

  static Consumer<SSLParameters> only(String protocol, String... ciphers) {
    return p -> {
      p.setProtocols(new String[] {protocol});
      if (ciphers.length > 0) {
        p.setCipherSuites(ciphers);
      }
    };
  }

  /** Writes {@code line} and reads the echo back. */
  static String echo(SSLSocket socket, String line) throws IOException {
    byte[] out = (line + "\n").getBytes(StandardCharsets.US_ASCII);
    socket.getOutputStream().write(out);
    socket.getOutputStream().flush();
    byte[] in = socket.getInputStream().readNBytes(out.length);
    return new String(in, StandardCharsets.US_ASCII).strip();
  }

  static X509Certificate serverLeaf(SSLSocket socket) throws IOException {
    return (X509Certificate) socket.getSession().getPeerCertificates()[0];
  }
}
