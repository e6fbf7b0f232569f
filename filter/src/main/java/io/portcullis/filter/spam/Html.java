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
    int hidden = hiddenText(noScript);
    return new Html(text(noScript), List.copyOf(links), images, hidden);
  }

  private static final String[] HIDING = {
    "display:none", "visibility:hidden", "font-size:0", "font-size:1px", "opacity:0;"
  };

  /** Characters of text inside elements whose inline style hides them; linear in the input. */
  static int hiddenText(String html) {
    String lower = html.toLowerCase(Locale.ROOT).replace(": ", ":");
    int total = 0;
    for (String hiding : HIDING) {
      int from = 0;
      int found;
      int seen = 0;
      while ((found = lower.indexOf(hiding, from)) >= 0 && seen++ < 200) {
        from = found + hiding.length();
        int open = lower.lastIndexOf('<', found);
        int close = lower.indexOf('>', found);
        if (open < 0 || close < 0 || found - open > 1000) {
          continue;
        }
        int nameEnd = open + 1;
        while (nameEnd < lower.length() && Character.isLetterOrDigit(lower.charAt(nameEnd))) {
          nameEnd++;
        }
        String name = lower.substring(open + 1, nameEnd);
        if (name.isEmpty()) {
          continue;
        }
        int end = lower.indexOf("</" + name, close);
        if (end < 0 || end - close > 20_000) {
          continue;
        }
        total += text(html.substring(close + 1, end)).length();
        from = end;
      }
    }
    return total;
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
