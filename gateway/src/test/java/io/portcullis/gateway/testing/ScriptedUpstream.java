package io.portcullis.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real TCP server on loopback that plays one scripted conversation, for upstream behaviour no
 * well-behaved server shows (STLS stripping, injected bytes, disconnects mid-answer). Records every
 * byte the gateway sent it.
 */
public final class ScriptedUpstream implements AutoCloseable {
  /** The server's side of the conversation. */
  @FunctionalInterface
  public interface Script {
    void play(LineClient gateway) throws Exception;
  }

  private final ServerSocket server;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final CompletableFuture<Void> done = new CompletableFuture<>();

  private ScriptedUpstream(Script script) throws IOException {
    server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = server.accept()) {
                s.setTcpNoDelay(true); // single-byte writes must leave as single segments
                Socket recording = new RecordingSocket(s, received);
                script.play(LineClient.of(recording));
                done.complete(null);
              } catch (Exception e) {
                done.completeExceptionally(e);
              }
            });
  }

  public static ScriptedUpstream start(Script script) throws IOException {
    return new ScriptedUpstream(script);
  }

  public int port() {
    return server.getLocalPort();
  }

  /** Everything the gateway sent, after the script finished (or 10 s). */
  public String received() throws Exception {
    try {
      done.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      // The script may end with the gateway hanging up; what was received still counts.
    }
    synchronized (received) {
      return received.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }

  /** A socket whose input is copied into a buffer as it is read. */
  private static final class RecordingSocket extends Socket {
    private final Socket delegate;
    private final ByteArrayOutputStream sink;

    RecordingSocket(Socket delegate, ByteArrayOutputStream sink) {
      this.delegate = delegate;
      this.sink = sink;
    }

    @Override
    public InputStream getInputStream() throws IOException {
      InputStream in = delegate.getInputStream();
      return new InputStream() {
        @Override
        public int read() throws IOException {
          int b = in.read();
          if (b >= 0) {
            synchronized (sink) {
              sink.write(b);
            }
          }
          return b;
        }
      };
    }

    @Override
    public java.io.OutputStream getOutputStream() throws IOException {
      return delegate.getOutputStream();
    }

    @Override
    public void setSoTimeout(int timeout) throws java.net.SocketException {
      delegate.setSoTimeout(timeout);
    }

    @Override
    public InetAddress getInetAddress() {
      return delegate.getInetAddress();
    }

    @Override
    public int getPort() {
      return delegate.getPort();
    }

    @Override
    public synchronized void close() throws IOException {
      delegate.close();
    }
  }
}
