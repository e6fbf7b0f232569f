package io.portcullis.bench.load;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;

/**
 * An IMAP4rev1/rev2 client (RFC 3501, RFC 9051, RFC 2177 IDLE) for the workloads. Not thread-safe.
 */
final class ImapClient implements MailClient {
  private static final Pattern EXISTS = Pattern.compile("^\\* (\\d+) EXISTS$");
  private static final Pattern LITERAL = Pattern.compile("\\{(\\d+)\\+?\\}$");

  private final SSLSocket socket;
  private final WireReader in;
  private final OutputStream out;
  private int nextTag = 1;
  private String idleTag;

  ImapClient(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.in = new WireReader(socket.getInputStream(), 32 * 1024);
    this.out = socket.getOutputStream();
    String greeting = in.readLine();
    if (!greeting.startsWith("* OK")) {
      throw new IOException("greeting: " + Pop3Client.abbreviate(greeting));
    }
  }

  @Override
  public void login(String user, String password) throws IOException {
    command("LOGIN " + quoted(user) + " " + quoted(password), null);
  }

  @Override
  public int select() throws IOException {
    int[] exists = {-1};
    command(
        "SELECT INBOX",
        line -> {
          Matcher m = EXISTS.matcher(line);
          if (m.matches()) {
            exists[0] = Integer.parseInt(m.group(1));
          }
        });
    if (exists[0] < 0) {
      throw new IOException("SELECT without EXISTS");
    }
    return exists[0];
  }

  @Override
  public Fetched fetchAll(int messages, Latencies perMessage) throws IOException {
    return fetch("UID FETCH 1:* BODY.PEEK[]", perMessage);
  }

  @Override
  public Fetched fetchFirst(Latencies perMessage) throws IOException {
    return fetch("FETCH 1 BODY.PEEK[]", perMessage);
  }

  private Fetched fetch(String command, Latencies perMessage) throws IOException {
    long start = System.nanoTime();
    String tag = send(command);
    long bytes = 0;
    long firstByte = 0;
    while (true) {
      String line = in.readLine();
      // A response line may carry several literals; each ends the line part it closes.
      Matcher m = LITERAL.matcher(line);
      while (m.find()) {
        long size = Long.parseLong(m.group(1));
        if (firstByte == 0) {
          if (size > 0) {
            in.awaitByte();
          }
          firstByte = System.nanoTime();
        }
        in.skip(size);
        bytes += size;
        perMessage.record(System.nanoTime() - start);
        start = System.nanoTime();
        line = in.readLine();
        m = LITERAL.matcher(line);
      }
      if (line.startsWith(tag + " ")) {
        tagged(line, tag, "FETCH");
        return new Fetched(bytes, firstByte);
      }
    }
  }

  @Override
  public void noop() throws IOException {
    command("NOOP", null);
  }

  @Override
  public void startIdle() throws IOException {
    idleTag = send("IDLE");
    while (true) {
      String line = in.readLine();
      if (line.startsWith("+")) {
        return;
      }
      if (line.startsWith(idleTag + " ")) {
        throw new IOException("IDLE refused: " + Pop3Client.abbreviate(line));
      }
    }
  }

  @Override
  public void awaitExists(int known) throws IOException {
    if (idleTag == null) {
      throw new IllegalStateException("not idling");
    }
    while (true) {
      Matcher m = EXISTS.matcher(in.readLine());
      if (m.matches() && Integer.parseInt(m.group(1)) > known) {
        break;
      }
    }
    out.write("DONE\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String tag = idleTag;
    idleTag = null;
    while (true) {
      String line = in.readLine();
      if (line.startsWith(tag + " ")) {
        tagged(line, tag, "IDLE");
        return;
      }
    }
  }

  @Override
  public void logout() throws IOException {
    command("LOGOUT", null);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  private void command(String command, java.util.function.Consumer<String> untagged)
      throws IOException {
    String tag = send(command);
    String verb =
        command.substring(0, command.indexOf(' ') < 0 ? command.length() : command.indexOf(' '));
    while (true) {
      String line = in.readLine();
      if (line.startsWith(tag + " ")) {
        tagged(line, tag, verb);
        return;
      }
      if (untagged != null) {
        untagged.accept(line);
      }
    }
  }

  private String send(String command) throws IOException {
    String tag = "b" + nextTag++;
    out.write((tag + " " + command + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    return tag;
  }

  private static void tagged(String line, String tag, String what) throws IOException {
    if (!line.startsWith(tag + " OK")) {
      throw new IOException(what + " failed: " + Pop3Client.abbreviate(line));
    }
  }

  /** An RFC 9051 quoted string; the workloads only use printable user names and passwords. */
  static String quoted(String s) {
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c > 0x7e) {
        throw new IllegalArgumentException("only printable ASCII in bench credentials");
      }
    }
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
