package io.portcullis.filter.mime;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.TreeMap;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.NameValuePair;

/**
 * Parameter values of Content-Type/Content-Disposition: RFC 2231 continuations and charsets, RFC
 * 2047.
 */
public final class MimeParams {

  /** Continuations beyond this are ignored (thousands of RFC 2231 segments are an attack). */
  static final int MAX_SEGMENTS = 256;

  private MimeParams() {}

  /** The decoded value of parameter {@code name}, or empty. */
  public static String get(List<NameValuePair> params, String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    TreeMap<Integer, NameValuePair> segments = new TreeMap<>();
    String plain = null;
    String extended = null;
    for (NameValuePair p : params) {
      String n = p.getName().toLowerCase(Locale.ROOT);
      if (n.equals(lower)) {
        plain = p.getValue();
      } else if (n.equals(lower + "*")) {
        extended = p.getValue();
      } else if (n.startsWith(lower + "*")) {
        String rest = n.substring(lower.length() + 1);
        boolean encoded = rest.endsWith("*");
        String digits = encoded ? rest.substring(0, rest.length() - 1) : rest;
        if (!digits.isEmpty()
            && digits.length() <= 3
            && digits.chars().allMatch(Character::isDigit)) {
          int index = Integer.parseInt(digits);
          if (index < MAX_SEGMENTS) {
            segments.put(index, new NameValuePair(encoded ? "*" : "", p.getValue()));
          }
        }
      }
    }
    if (extended != null) {
      return decode2231(extended, true, null);
    }
    if (!segments.isEmpty()) {
      StringBuilder sb = new StringBuilder();
      Charset charset = null;
      boolean first = true;
      for (NameValuePair seg : segments.values()) {
        String v = seg.getValue() == null ? "" : seg.getValue();
        if (seg.getName().equals("*")) {
          if (first) {
            int q1 = v.indexOf('\'');
            int q2 = q1 < 0 ? -1 : v.indexOf('\'', q1 + 1);
            if (q2 > 0) {
              charset = charset(v.substring(0, q1));
              v = v.substring(q2 + 1);
            }
          }
          sb.append(percentDecode(v, charset == null ? StandardCharsets.UTF_8 : charset));
        } else {
          sb.append(v);
        }
        first = false;
      }
      return sb.toString();
    }
    if (plain != null) {
      return DecoderUtil.decodeEncodedWords(plain, DecodeMonitor.SILENT);
    }
    return "";
  }

  private static String decode2231(String value, boolean withCharset, Charset given) {
    Charset cs = given;
    String v = value;
    if (withCharset) {
      int q1 = v.indexOf('\'');
      int q2 = q1 < 0 ? -1 : v.indexOf('\'', q1 + 1);
      if (q2 > 0) {
        cs = charset(v.substring(0, q1));
        v = v.substring(q2 + 1);
      }
    }
    return percentDecode(v, cs == null ? StandardCharsets.UTF_8 : cs);
  }

  private static String percentDecode(String v, Charset cs) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c == '%'
          && i + 2 < v.length() + 0
          && i + 2 <= v.length() - 1
          && Character.digit(v.charAt(i + 1), 16) >= 0
          && Character.digit(v.charAt(i + 2), 16) >= 0) {
        out.write(Character.digit(v.charAt(i + 1), 16) * 16 + Character.digit(v.charAt(i + 2), 16));
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(cs);
  }

  /** The named charset, or null if Java does not know it. */
  public static Charset charset(String name) {
    if (name == null || name.isBlank()) {
      return null;
    }
    try {
      return Charset.forName(name.trim());
    } catch (RuntimeException e) {
      return null;
    }
  }
}
