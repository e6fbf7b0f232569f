package io.portcullis.gateway.imap;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A tiny IMAP upstream on a real loopback socket that answers each complete command with what a
 * script says, and records every byte it receives, so tests can assert the exact bytes the gateway
 * sent (THREATS A3) or that it sent nothing.
 */
final class ScriptedUpstream implements AutoCloseable {
  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)(\\+?)}$");

  private final ServerSocket server;
  private final String greeting;
  private final BiFunction<String, String, String> script;
  private final ByteArrayOutputStream received = new ByteArrayOutputStream();
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean connected;

  /**
   * @param script (tag, command after the tag) → raw response bytes, or null to close
   */
  ScriptedUpstream(String greeting, BiFunction<String, String, String> script) throws IOException {
    this.server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
    this.greeting = greeting;
    this.script = script;
    Thread.ofVirtual().start(this::serve);
  }

  int port() {
    return server.getLocalPort();
  }

  boolean connected() {
    return connected;
  }

  /** Everything received, once the gateway closed the connection. */
  String received() throws InterruptedException {
    done.await(10, TimeUnit.SECONDS);
    synchronized (received) {
      return received.toString(StandardCharsets.UTF_8);
    }
  }

  private void serve() {
    try (Socket s = server.accept()) {
      connected = true;
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      out.write(greeting.getBytes(StandardCharsets.UTF_8));
      out.flush();
      StringBuilder command = new StringBuilder();
      String line;
      while ((line = readLine(in)) != null) {
        command.append(line);
        Matcher m = LITERAL.matcher(line);
        if (m.find()) {
          if (m.group(2).isEmpty()) {
            out.write("+ go ahead\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
          }
          byte[] literal = in.readNBytes(Integer.parseInt(m.group(1)));
          record(literal);
          command.append("\r\n").append(new String(literal, StandardCharsets.UTF_8));
          continue;
        }
        String text = command.toString();
        command.setLength(0);
        int sp = text.indexOf(' ');
        String answer =
            sp < 0
                ? script.apply(text, "")
                : script.apply(text.substring(0, sp), text.substring(sp + 1));
        if (answer == null) {
          break;
        }
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (IOException e) {
      // the gateway closed the connection
    } finally {
      done.countDown();
    }
  }

  private String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1) {
      record(new byte[] {(byte) b});
      if (b == '\n') {
        byte[] bytes = line.toByteArray();
        int len =
            bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
        return new String(bytes, 0, len, StandardCharsets.UTF_8);
      }
      line.write(b);
    }
    return null;
  }

  private void record(byte[] bytes) {
    synchronized (received) {
      received.write(bytes, 0, bytes.length);
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
