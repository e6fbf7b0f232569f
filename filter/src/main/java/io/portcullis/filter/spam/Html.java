package io.portcullis.filter.spam;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small, linear-time view of an HTML body for rules: visible text, links with their text, images,
 * and hidden text. Not a conforming HTML parser; it never executes or fetches anything. Immutable.
 */
final class Html {

  record Link(String href, String text) {}

  private static final Pattern SCRIPT_STYLE =
      Pattern.compile("(?is)<(script|style)\\b[^>]*>.*?</\\1\\s*>");
  private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
  private static final Pattern ANCHOR =
      Pattern.compile("(?is)<a\\b([^>]{0,2000})>(.{0,2000}?)</a\\s*>");
  private static final Pattern HREF =
      Pattern.compile(
          "(?is)\\bhref\\s*=\\s*(\"([^\"]{0,2000})\"|'([^']{0,2000})'|([^\\s>]{1,2000}))");
  private static final Pattern IMG = Pattern.compile("(?i)<img\\b");
  private static final Pattern TAG = Pattern.compile("(?s)<[^>]{0,4000}>");
  private static final Pattern HIDDEN =
      Pattern.compile(
          "(?is)<(\\w+)\\b[^>]{0,500}style\\s*=\\s*[\"'][^\"']{0,300}(display\\s*:\\s*none|visibility\\s*:\\s*hidden|font-size\\s*:\\s*[01]px|font-size\\s*:\\s*0)[^>]{0,500}>(.{0,4000}?)</\\1\\s*>");

  final String visibleText;
  final List<Link> links;
  final int images;
  final int hiddenTextChars;

  private Html(String visibleText, List<Link> links, int images, int hiddenTextChars) {
    this.visibleText = visibleText;
    this.links = links;
    this.images = images;
    this.hiddenTextChars = hiddenTextChars;
  }

  static Html parse(String html) {
    String noScript = COMMENT.matcher(SCRIPT_STYLE.matcher(html).replaceAll(" ")).replaceAll(" ");
    List<Link> links = new ArrayList<>();
    Matcher a = ANCHOR.matcher(noScript);
    while (a.find() && links.size() < 2000) {
      Matcher h = HREF.matcher(a.group(1));
      if (h.find()) {
        String href =
            h.group(2) != null ? h.group(2) : h.group(3) != null ? h.group(3) : h.group(4);
        links.add(new Link(entities(href.strip()), text(a.group(2))));
      }
    }
    int images = 0;
    Matcher img = IMG.matcher(noScript);
    while (img.find()) {
      images++;
    }
    int hidden = 0;
    Matcher hid = HIDDEN.matcher(noScript);
    while (hid.find()) {
      hidden += text(hid.group(3)).length();
    }
    return new Html(text(noScript), List.copyOf(links), images, hidden);
  }

  /** Tags removed, entities decoded, whitespace collapsed. */
  static String text(String html) {
    return entities(TAG.matcher(html).replaceAll(" ")).replaceAll("\\s+", " ").strip();
  }

  static String entities(String s) {
    if (s.indexOf('&') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      int semi = c == '&' ? s.indexOf(';', i) : -1;
      if (semi > i && semi - i <= 10) {
        String ent = s.substring(i + 1, semi).toLowerCase(Locale.ROOT);
        String rep =
            switch (ent) {
              case "amp" -> "&";
              case "lt" -> "<";
              case "gt" -> ">";
              case "quot" -> "\"";
              case "apos" -> "'";
              case "nbsp" -> " ";
              default -> numeric(ent);
            };
        if (rep != null) {
          sb.append(rep);
          i = semi;
          continue;
        }
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private static String numeric(String ent) {
    try {
      if (ent.startsWith("#x")) {
        return Character.toString(Integer.parseInt(ent.substring(2), 16));
      }
      if (ent.startsWith("#")) {
        return Character.toString(Integer.parseInt(ent.substring(1)));
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return null;
  }
}
