package io.portcullis.filter.engine;

import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SpamAssassin's spamd over TCP, protocol SPAMC/1.5 ({@code SYMBOLS} command): its verdict ({@code
 * Spam: True ; 15.3 / 5.0}) and rule names join the verdict; {@code spam} when spamd says so.
 * Thread-safe.
 */
public final class SpamdEngine implements ExternalEngine {

  private static final Pattern STATUS = Pattern.compile("^SPAMD/\\d+\\.\\d+ (\\d+) (\\S+)");
  private static final Pattern SPAM =
      Pattern.compile(
          "^Spam:\\s*(True|False|Yes|No)\\s*;\\s*(-?[\\d.]+)\\s*/\\s*(-?[\\d.]+)",
          Pattern.CASE_INSENSITIVE);

  private final InetSocketAddress address;
  private final Duration timeout;
  private final String user;

  /**
   * @param user the spamd user whose preferences apply, or empty
   */
  public SpamdEngine(InetSocketAddress address, Duration timeout, String user) {
    if (user.indexOf('\r') >= 0 || user.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("spamd user must not contain CR or LF");
    }
    this.address = address;
    this.timeout = timeout;
    this.user = user;
  }

  @Override
  public String name() {
    return "spamd";
  }

  @Override
  public List<Finding> scan(Supplier<InputStream> message, long size) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) timeout.toMillis());
      socket.setSoTimeout((int) timeout.toMillis());
      OutputStream out = socket.getOutputStream();
      StringBuilder head =
          new StringBuilder("SYMBOLS SPAMC/1.5\r\nContent-length: ").append(size).append("\r\n");
      if (!user.isEmpty()) {
        head.append("User: ").append(user).append("\r\n");
      }
      head.append("\r\n");
      out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
      try (InputStream in = message.get()) {
        in.transferTo(out);
      }
      out.flush();
      socket.shutdownOutput();
      BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      String status = reader.readLine();
      Matcher sm = status == null ? null : STATUS.matcher(status);
      if (sm == null || !sm.find()) {
        return Engines.failure(name(), "answered with no SPAMD status line");
      }
      if (!sm.group(1).equals("0")) {
        return Engines.failure(name(), "answered " + Engines.safe(sm.group(2)));
      }
      Matcher spam = null;
      String line;
      while ((line = reader.readLine()) != null && !line.isEmpty()) {
        Matcher m = SPAM.matcher(line);
        if (m.find()) {
          spam = m;
        }
      }
      if (spam == null) {
        return Engines.failure(name(), "answered without a Spam header");
      }
      char[] body = new char[4096];
      int n = reader.read(body);
      String symbols = n > 0 ? new String(body, 0, n).strip() : "";
      boolean isSpam = spam.group(1).toLowerCase(Locale.ROOT).matches("true|yes");
      String reason =
          "spamd score "
              + spam.group(2)
              + " / "
              + spam.group(3)
              + (symbols.isEmpty() ? "" : ": " + Engines.safe(symbols));
      return List.of(new Finding("spamd", isSpam ? Label.SPAM : null, 0, reason, "message"));
    } catch (IOException | RuntimeException e) {
      return Engines.failure(name(), "did not answer", e);
    }
  }
}
