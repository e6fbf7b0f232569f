package io.portcullis.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLSocket;

/** A POP3 client (RFC 1939) for the workloads. Not thread-safe. */
final class Pop3Client implements MailClient {
  private final SSLSocket socket;
  private final WireReader in;
  private final OutputStream out;

  Pop3Client(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new WireReader(socket.getInputStream(), 32 * 1024);
    this.out = socket.getOutputStream();
    ok(in.readLine(), "greeting");
  }

  @Override
  public void login(String user, String password) throws IOException {
    command("USER " + user, "USER");
    command("PASS " + password, "PASS");
  }

  @Override
  public int select() throws IOException {
    String stat = command("STAT", "STAT");
    String[] words = stat.split(" ");
    try {
      return Integer.parseInt(words[1]);
    } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
      throw new IOException("malformed STAT answer");
    }
  }

  @Override
  public Fetched fetchAll(int messages, Latencies perMessage) throws IOException {
    long bytes = 0;
    long firstByte = 0;
    for (int i = 1; i <= messages; i++) {
      long start = System.nanoTime();
      command("RETR " + i, "RETR");
      if (i == 1) {
        in.awaitByte();
        firstByte = System.nanoTime();
      }
      bytes += in.skipDotBody();
      perMessage.record(System.nanoTime() - start);
    }
    return new Fetched(bytes, firstByte);
  }

  @Override
  public Fetched fetchFirst(Latencies perMessage) throws IOException {
    return fetchAll(1, perMessage);
  }

  @Override
  public void noop() throws IOException {
    command("NOOP", "NOOP");
  }

  @Override
  public void startIdle() {
    throw new UnsupportedOperationException("POP3 has no IDLE: a maildrop is a snapshot");
  }

  @Override
  public void awaitExists(int known) {
    throw new UnsupportedOperationException("POP3 has no IDLE: a maildrop is a snapshot");
  }

  @Override
  public void logout() throws IOException {
    command("QUIT", "QUIT");
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private String command(String line, String what) throws IOException {
    out.write((line + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return ok(in.readLine(), what);
  }

  private static String ok(String answer, String what) throws IOException {
    if (!answer.startsWith("+OK")) {
      // The answer text is the server's, never the password: it is safe to show.
      throw new IOException(what + " failed: " + abbreviate(answer));
    }
    return answer;
  }

  static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
