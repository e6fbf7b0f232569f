package io.portcullis.filter.engine;

import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * ClamAV's clamd over TCP with the {@code zINSTREAM} command (clamd(8)): the message is sent in
 * length-prefixed chunks and the NUL-terminated reply says {@code OK} or {@code <signature> FOUND}.
 * A signature is a {@code dangerous-attachment} finding; anything else is {@code scan-error}.
 * Thread-safe.
 */
public final class ClamdEngine implements ExternalEngine {

  private static final int CHUNK = 64 * 1024;
  private static final int MAX_REPLY = 4096;

  private final InetSocketAddress address;
  private final Duration timeout;

  /**
   * @param timeout applies to connecting and to each read; a clamd that stalls is a scan error
   */
  public ClamdEngine(InetSocketAddress address, Duration timeout) {
    this.address = address;
    this.timeout = timeout;
  }

  @Override
  public String name() {
    return "clamd";
  }

  @Override
  public List<Finding> scan(Supplier<InputStream> message, long size) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
      byte[] buf = new byte[CHUNK];
      try (InputStream in = message.get()) {
        int n;
        while ((n = in.readNBytes(buf, 0, CHUNK)) > 0) {
          out.write(ByteBuffer.allocate(4).putInt(n).array());
          out.write(buf, 0, n);
        }
      }
      out.write(new byte[4]); // a zero-length chunk ends the stream
      out.flush();
      String reply = readReply(socket.getInputStream());
      if (reply.endsWith(" FOUND")) {
        String signature = reply.substring(reply.indexOf(':') + 1, reply.length() - 6).strip();
        return List.of(
            new Finding(
                "clamd-signature",
                Label.DANGEROUS_ATTACHMENT,
                0,
                "clamd found " + Engines.safe(signature),
                "message"));
      }
      if (reply.endsWith(": OK")) {
        return List.of();
      }
      return Engines.failure(name(), "answered '" + Engines.safe(reply) + "'");
    } catch (IOException | RuntimeException e) {
      return Engines.failure(name(), "did not answer", e);
    }
  }

  private static String readReply(InputStream in) throws IOException {
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) > 0 && c != '\n' && reply.size() < MAX_REPLY) {
      reply.write(c);
    }
    if (c < 0 && reply.size() == 0) {
      throw new IOException("connection closed without a reply");
    }
    return reply.toString(StandardCharsets.US_ASCII).strip();
  }
}
