package io.portcullis.filter.attachment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Recognises HTML smuggling: an HTML file whose script rebuilds a payload from a large encoded blob
 * (base64 run, {@code atob}, {@code Blob}, {@code msSaveOrOpenBlob}, a {@code download} link) so
 * that the payload never appears as an attachment of its own. Thread-safe.
 */
final class HtmlSmuggling {

  private static final int MAX_SCAN = 8 << 20;

  /** A base64 run this long inside an HTML file is a payload, not an inline icon. */
  static final int MIN_BLOB = 16_384;

  private HtmlSmuggling() {}

  /** A reason when the HTML smuggles, else null. */
  static String check(InputStream in) throws IOException {
    byte[] raw = in.readNBytes(MAX_SCAN);
    String html = new String(raw, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
    if (!html.contains("<script")) {
      return null;
    }
    int longest = longestBase64Run(raw);
    boolean decoder = html.contains("atob(") || html.contains("base64");
    boolean dropper =
        html.contains("new blob")
            || html.contains("createobjecturl")
            || html.contains("mssaveoropenblob")
            || html.contains(".download")
            || html.contains("download=");
    if (longest >= MIN_BLOB && (decoder || dropper)) {
      return "script with a " + longest + "-character encoded blob";
    }
    if (decoder && dropper && longest >= 1024) {
      return "script decodes an embedded blob and offers it as a download";
    }
    return null;
  }

  private static final java.util.regex.Pattern DATA_URI =
      java.util.regex.Pattern.compile(
          "(?i)data:[a-z0-9.+/-]{0,100}(?:;[a-z0-9=._-]{0,50}){0,8};base64,([A-Za-z0-9+/=\\s]{64,})");
  private static final int MAX_DATA_URIS = 20;

  /**
   * Base64 payloads of {@code data:} URIs (even small ones: an executable stub fits in a few
   * hundred bytes), decoded.
   */
  static java.util.List<byte[]> dataUris(InputStream in) throws IOException {
    String html = new String(in.readNBytes(MAX_SCAN), StandardCharsets.ISO_8859_1);
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    java.util.regex.Matcher m = DATA_URI.matcher(html);
    while (m.find() && out.size() < MAX_DATA_URIS) {
      try {
        out.add(java.util.Base64.getMimeDecoder().decode(m.group(1)));
      } catch (IllegalArgumentException e) {
        // Not valid base64: nothing to inspect.
      }
    }
    return out;
  }

  private static int longestBase64Run(byte[] b) {
    int best = 0;
    int run = 0;
    for (byte x : b) {
      char c = (char) (x & 0xFF);
      if (c >= 'A' && c <= 'Z'
          || c >= 'a' && c <= 'z'
          || c >= '0' && c <= '9'
          || c == '+'
          || c == '/'
          || c == '=') {
        run++;
        best = Math.max(best, run);
      } else if (c != '\r' && c != '\n') {
        run = 0;
      }
    }
    return best;
  }
}
