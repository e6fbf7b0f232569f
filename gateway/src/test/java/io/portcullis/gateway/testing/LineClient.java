package io.portcullis.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/** A raw line-oriented client over a real socket, for conversation tests. Not thread-safe. */
public final class LineClient implements AutoCloseable {
  /** How long a read waits before the test fails instead of hanging. */
  private static final int READ_TIMEOUT_MILLIS = 10_000;

  private Socket socket;
  private InputStream in;
  private OutputStream out;

  private LineClient(Socket socket) throws IOException {
    use(socket);
  }

  /** Wraps an accepted socket (the server side of a scripted upstream). */
  public static LineClient of(Socket socket) throws IOException {
    socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    return new LineClient(socket);
  }

  /** A plaintext connection. */
  public static LineClient plain(InetSocketAddress address) throws IOException {
    Socket s = new Socket();
    s.connect(address, 5_000);
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    return new LineClient(s);
  }

  /** An implicit-TLS connection that trusts what {@code factory} trusts. */
  public static LineClient tls(InetSocketAddress address, SSLSocketFactory factory)
      throws IOException {
    SSLSocket s = (SSLSocket) factory.createSocket();
    s.connect(address, 5_000);
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    s.startHandshake();
    return new LineClient(s);
  }

  /** An implicit-TLS connection from a given local address (e.g. 127.0.0.2, another "network"). */
  public static LineClient tlsFrom(
      InetSocketAddress address, SSLSocketFactory factory, java.net.InetAddress local)
      throws IOException {
    SSLSocket s = (SSLSocket) factory.createSocket();
    s.bind(new InetSocketAddress(local, 0));
    s.connect(address, 5_000);
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    s.startHandshake();
    return new LineClient(s);
  }

  /** Upgrades this connection to TLS in place (after STLS/STARTTLS was answered). */
  public void startTls(SSLSocketFactory factory) throws IOException {
    SSLSocket s =
        (SSLSocket)
            factory.createSocket(
                socket, socket.getInetAddress().getHostAddress(), socket.getPort(), true);
    s.setSoTimeout(READ_TIMEOUT_MILLIS);
    s.startHandshake();
    use(s);
  }

  private void use(Socket s) throws IOException {
    this.socket = s;
    this.in = s.getInputStream();
    this.out = s.getOutputStream();
  }

  /** Sends text exactly as given (add CRLF yourself): one write, so pipelining is real. */
  public void send(String text) throws IOException {
    sendBytes(text.getBytes(StandardCharsets.UTF_8));
  }

  public void sendBytes(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  /** One line without its CRLF, or null at end of stream. */
  public String readLine() throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
  }

  /** Lines up to (not including) the terminating "." line; dot-stuffing kept as sent. */
  public List<String> readMultiLine() throws IOException {
    List<String> lines = new ArrayList<>();
    String line;
    while ((line = readLine()) != null && !line.equals(".")) {
      lines.add(line);
    }
    return lines;
  }

  /** The raw bytes of a multi-line body up to and including the terminating ".\r\n". */
  public byte[] readRawMultiLine() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int state = 0; // 0 line start, 1 mid line, 2 dot, 3 dot-CR
    int b;
    while ((b = in.read()) != -1) {
      body.write(b);
      state =
          switch (state) {
            case 0 -> b == '.' ? 2 : (b == '\n' ? 0 : 1);
            case 2 -> b == '\r' ? 3 : (b == '\n' ? -1 : 1);
            case 3 -> b == '\n' ? -1 : 1;
            default -> b == '\n' ? 0 : 1;
          };
      if (state == -1) {
        return body.toByteArray();
      }
    }
    throw new IOException("end of stream inside a multi-line answer");
  }

  /**
   * Whether nothing arrives within {@code wait}: a read that times out, not a sleep, so a byte that
   * does arrive (it is consumed) or the end of the stream answers false at once.
   */
  public boolean silentFor(Duration wait) throws IOException {
    socket.setSoTimeout(Math.toIntExact(wait.toMillis()));
    try {
      in.read();
      return false;
    } catch (SocketTimeoutException e) {
      return true;
    } finally {
      socket.setSoTimeout(READ_TIMEOUT_MILLIS);
    }
  }

  /** Whether the server closed the connection (end of stream within the read timeout). */
  public boolean closedByServer() throws IOException {
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

  public boolean isTls() {
    return socket instanceof SSLSocket;
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
