package io.portcullis.gateway.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A raw IMAP conversation over a real socket: write bytes, read CRLF lines or octet counts. */
final class ImapTestClient implements AutoCloseable {
  private static final int TIMEOUT_MS = 10_000;

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private ImapTestClient(Socket socket) throws IOException {
    use(socket);
  }

  static ImapTestClient plain(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, TIMEOUT_MS);
    return new ImapTestClient(s);
  }

  static ImapTestClient tls(InetSocketAddress address) throws IOException {
    ImapTestClient c = plain(address);
    c.startTls(address);
    return c;
  }

  private void use(Socket s) throws IOException {
    s.setSoTimeout(TIMEOUT_MS);
    this.socket = s;
    this.in = s.getInputStream();
    this.out = s.getOutputStream();
  }

  /** Wraps the connection in TLS (after a STARTTLS answer, or at once for imaps). */
  void startTls(InetSocketAddress address) throws IOException {
    SSLSocket ssl =
        (SSLSocket)
            trustAll()
                .getSocketFactory()
                .createSocket(socket, address.getHostString(), address.getPort(), true);
    ssl.startHandshake();
    use(ssl);
  }

  void send(String text) throws IOException {
    out.write(text.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
  }

  void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One line without CRLF, or null at end of stream. */
  String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
  }

  /** Reads lines until one starts with {@code prefix}; returns it. */
  String readUntil(String prefix) throws IOException {
    String line;
    while ((line = readLine()) != null) {
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new IOException("end of stream before " + prefix);
  }

  byte[] readBytes(int n) throws IOException {
    return in.readNBytes(n);
  }

  /** Whether the server closed the connection (reads to end; fails if it stays open). */
  boolean closedByServer() throws IOException {
    try {
      while (true) {
        int b = in.read();
        if (b == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  static SSLContext trustAll() {
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(
          null,
          new TrustManager[] {
            new X509TrustManager() {
              @Override
              public void checkClientTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public void checkServerTrusted(X509Certificate[] chain, String authType) {}

              @Override
              public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
              }
            }
          },
          null);
      return context;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
