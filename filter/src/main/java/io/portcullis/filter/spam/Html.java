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

  /** A link; {@code host} is {@link Urls#host} of the href, computed once for rules and tokens. */
  record Link(String href, String text, String host) {
    Link(String href, String text) {
      this(href, text, Urls.host(href));
    }
  }

  private static final Pattern HREF =
      Pattern.compile(
          "(?is)\\bhref\\s*=\\s*(\"([^\"]{0,2000})\"|'([^']{0,2000})'|([^\\s>]{1,2000}))");
  private static final Pattern IMG = Pattern.compile("(?i)<img\\b");

  /**
   * Stops at the next '<', so an unterminated '<' costs one scan to the next tag, not to the end.
   */
  static final Pattern TAG = Pattern.compile("<[^<>]{0,4000}>");

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
    // One lower-cased copy serves every case-insensitive search below; the block removals only
    // copy the text when it has a block to remove (a newsletter usually has none).
    String lower = html.toLowerCase(Locale.ROOT);
    String noScript = html;
    if (lower.contains("<script") || lower.contains("<style") || lower.contains("<!--")) {
      noScript =
          removeBlocks(
              removeBlocks(removeBlocks(html, "<script", "</script"), "<style", "</style"),
              "<!--",
              "-->");
      lower = noScript.toLowerCase(Locale.ROOT);
    }
    List<Link> links = anchors(noScript, lower);
    int images = 0;
    // "<img" in the lower-cased copy is necessary for a match when lower-casing kept every index.
    if (lower.length() != noScript.length() || lower.contains("<img")) {
      Matcher img = IMG.matcher(noScript);
      while (img.find()) {
        images++;
      }
    }
    int hidden = hiddenText(noScript, lower);
    return new Html(text(noScript), links, images, hidden);
  }

  /**
   * Removes every block from {@code open} to {@code close} (case-insensitive) in one linear pass;
   * an unterminated block removes the rest (regexes with lazy bodies are quadratic on such input).
   */
  static String removeBlocks(String html, String open, String close) {
    String lower = html.toLowerCase(Locale.ROOT);
    StringBuilder out = new StringBuilder(html.length());
    int pos = 0;
    int start;
    while ((start = lower.indexOf(open, pos)) >= 0) {
      out.append(html, pos, start).append(' ');
      int end = lower.indexOf(close, start + open.length());
      if (end < 0) {
        return out.toString();
      }
      int gt = lower.indexOf('>', end);
      pos = gt < 0 ? html.length() : gt + 1;
    }
    return out.append(html, pos, html.length()).toString();
  }

  /** Anchors and their text in one forward pass: the next closing tag is found once and reused. */
  private static List<Link> anchors(String html, String lower) {
    List<Link> links = new ArrayList<>();
    int pos = 0;
    int close = -2;
    int start;
    while ((start = lower.indexOf("<a", pos)) >= 0 && links.size() < 2000) {
      pos = start + 2;
      if (pos < lower.length()
          && !(lower.charAt(pos) == '>' || Character.isWhitespace(lower.charAt(pos)))) {
        continue;
      }
      int tagEnd = lower.indexOf('>', pos);
      if (tagEnd < 0) {
        break;
      }
      if (close != -1 && close < tagEnd) {
        close = lower.indexOf("</a", tagEnd);
      }
      if (close < 0) {
        break;
      }
      if (tagEnd - start > 2000 || close - tagEnd > 2000) {
        continue;
      }
      Matcher h = HREF.matcher(html.substring(pos, tagEnd));
      if (h.find()) {
        String href =
            h.group(2) != null ? h.group(2) : h.group(3) != null ? h.group(3) : h.group(4);
        links.add(new Link(entities(href.strip()), text(html.substring(tagEnd + 1, close))));
      }
      pos = tagEnd + 1;
    }
    return List.copyOf(links);
  }

  private static final String[] HIDING = {
    "display:none", "visibility:hidden", "font-size:0", "font-size:1px", "opacity:0;"
  };

  /** Characters of text inside elements whose inline style hides them; linear in the input. */
  static int hiddenText(String html) {
    return hiddenText(html, html.toLowerCase(Locale.ROOT));
  }

  private static int hiddenText(String html, String lowerHtml) {
    String lower = lowerHtml.replace(": ", ":");
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
        int limit = Math.min(lower.length(), close + 20_000);
        int end = lower.substring(close, limit).indexOf("</" + name);
        if (end < 0) {
          continue;
        }
        end += close;
        total += text(html.substring(close + 1, end)).length();
        from = end;
      }
    }
    return total;
  }

  /** Tags removed, entities decoded, whitespace collapsed. */
  static String text(String html) {
    return collapseWhitespace(entities(removeTags(html))).strip();
  }

  /**
   * Every match of {@link #TAG} replaced by a space, as {@code TAG.matcher(html).replaceAll(" ")}
   * but without the regex engine, which was the largest cost of parsing a long newsletter.
   */
  static String removeTags(String html) {
    int lt = html.indexOf('<');
    if (lt < 0) {
      return html;
    }
    int n = html.length();
    StringBuilder out = new StringBuilder(n);
    int copied = 0;
    while (lt >= 0) {
      // [^<>]{0,4000} counts code points, as the pattern does.
      int j = lt + 1;
      int count = 0;
      while (j < n && count <= MAX_TAG) {
        char c = html.charAt(j);
        if (c == '<' || c == '>') {
          break;
        }
        j += Character.charCount(html.codePointAt(j));
        count++;
      }
      if (j < n && count <= MAX_TAG && html.charAt(j) == '>') {
        out.append(html, copied, lt).append(' ');
        copied = j + 1;
        lt = html.indexOf('<', copied);
      } else {
        lt = html.indexOf('<', lt + 1);
      }
    }
    return out.append(html, copied, n).toString();
  }

  private static final int MAX_TAG = 4000;

  /**
   * Every run of regex {@code \s} characters (space, tab, line feed, vertical tab, form feed,
   * carriage return) replaced by one space, as {@code replaceAll("\\s+", " ")} without a regex.
   */
  static String collapseWhitespace(String s) {
    int n = s.length();
    StringBuilder out = null;
    int copied = 0;
    int i = 0;
    while (i < n) {
      if (!isRegexSpace(s.charAt(i))) {
        i++;
        continue;
      }
      int end = i + 1;
      while (end < n && isRegexSpace(s.charAt(end))) {
        end++;
      }
      if (end - i > 1 || s.charAt(i) != ' ') {
        if (out == null) {
          out = new StringBuilder(n);
        }
        out.append(s, copied, i).append(' ');
        copied = end;
      }
      i = end;
    }
    return out == null ? s : out.append(s, copied, n).toString();
  }

  private static boolean isRegexSpace(char c) {
    return c <= ' ' && (c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r');
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
