package io.portcullis.filter.spam;

import io.portcullis.filter.mime.HeaderField;
import io.portcullis.filter.mime.MimeWalker;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a message into the set of tokens the statistical classifier counts, in the manner of
 * SpamBayes: words of 3–12 characters, a length summary for longer words, URL host pieces, sender
 * and subject tokens, selected header tokens, MIME structure. Each token counts once per message.
 * Thread-safe.
 */
public final class Tokenizer {

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}$€£'!-]+");
  private static final Pattern EMAIL = Pattern.compile("([\\w.+-]{1,64})@([\\w-]+(?:\\.[\\w-]+)+)");
  private static final Pattern IP =
      Pattern.compile("\\b(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final int MAX_TOKENS = 20_000;

  /** The token set of one message. */
  public Set<String> tokens(MimeWalker.Content content) {
    Set<String> tokens = new LinkedHashSet<>();
    for (HeaderField h : content.headers()) {
      header(h, tokens);
    }
    for (MimeWalker.PartMeta part : content.parts()) {
      tokens.add("content-type:" + part.mimeType());
      if (!part.fileName().isEmpty()) {
        String name = part.fileName().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        tokens.add("filename-ext:" + (dot < 0 ? "" : name.substring(dot + 1)));
      }
    }
    for (String text : content.plainTexts()) {
      body(text, tokens);
    }
    for (String html : content.htmlTexts()) {
      Html parsed = Html.parse(html);
      body(parsed.visibleText, tokens);
      for (Html.Link link : parsed.links) {
        url(link.href(), tokens);
      }
      if (parsed.images > 0) {
        tokens.add("html:img");
      }
      if (parsed.hiddenTextChars > 0) {
        tokens.add("html:hidden-text");
      }
    }
    if (content.plainTexts().isEmpty() && !content.htmlTexts().isEmpty()) {
      tokens.add("mime:html-only");
    }
    return tokens;
  }

  private static void header(HeaderField h, Set<String> tokens) {
    String name = h.name().toLowerCase(Locale.ROOT);
    String value = h.value();
    switch (name) {
      case "subject" -> {
        Matcher m = WORD.matcher(value);
        while (m.find() && tokens.size() < MAX_TOKENS) {
          String w = m.group();
          tokens.add("subject:" + w.toLowerCase(Locale.ROOT));
          if (w.length() > 2
              && w.equals(w.toUpperCase(Locale.ROOT))
              && w.chars().anyMatch(Character::isLetter)) {
            tokens.add("subject:has-caps-word");
          }
        }
        if (value.contains("!")) {
          tokens.add("subject:!");
        }
      }
      case "from", "reply-to", "sender", "return-path" -> {
        Matcher m = EMAIL.matcher(value.toLowerCase(Locale.ROOT));
        while (m.find()) {
          tokens.add(name + ":addr:" + m.group(1) + "@" + m.group(2));
          for (String piece : m.group(2).split("\\.")) {
            tokens.add(name + ":domain:" + piece);
          }
        }
        int lt = value.indexOf('<');
        if (name.equals("from") && lt > 0) {
          for (String w :
              value.substring(0, lt).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
            if (!w.isEmpty()) {
              tokens.add("from:name:" + w);
            }
          }
        } else if (name.equals("from")) {
          tokens.add("from:no-display-name");
        }
      }
      case "to", "cc" -> {
        int count = value.split(",").length;
        tokens.add(
            name
                + ":count:"
                + (count <= 1 ? "1" : count <= 3 ? "2-3" : count <= 10 ? "4-10" : "many"));
      }
      case "content-type" -> {
        String v = value.toLowerCase(Locale.ROOT);
        int semi = v.indexOf(';');
        tokens.add("content-type:" + (semi < 0 ? v : v.substring(0, semi)).strip());
        int cs = v.indexOf("charset=");
        if (cs >= 0) {
          tokens.add("charset:" + v.substring(cs + 8).replaceAll("[\";].*$|\"", "").strip());
        }
      }
      case "x-mailer",
          "user-agent",
          "content-transfer-encoding",
          "mime-version",
          "precedence",
          "list-id",
          "list-unsubscribe",
          "x-priority",
          "organization" -> {
        for (String w : value.toLowerCase(Locale.ROOT).split("[\\s;=\"/<>(),]+")) {
          if (!w.isEmpty() && w.length() <= 40) {
            tokens.add(name + ":" + w);
          }
        }
      }
      case "received" -> {
        String v = value.toLowerCase(Locale.ROOT);
        Matcher ip = IP.matcher(v);
        while (ip.find()) {
          tokens.add("received:" + ip.group(1) + "." + ip.group(2));
          tokens.add("received:" + ip.group(1) + "." + ip.group(2) + "." + ip.group(3));
        }
        Matcher host = Pattern.compile("\\b(?:from|by)\\s+([a-z0-9.-]+)").matcher(v);
        while (host.find()) {
          String[] labels = host.group(1).split("\\.");
          if (labels.length >= 2) {
            tokens.add("received:" + labels[labels.length - 2] + "." + labels[labels.length - 1]);
          }
        }
      }
      case "message-id" -> {
        int at = value.lastIndexOf('@');
        tokens.add("message-id:" + (at < 0 ? "no-domain" : "has-domain"));
      }
      default -> {
        // Only the presence of less common headers is a signal.
        if (name.startsWith("x-")) {
          tokens.add("header:" + name);
        }
      }
    }
  }

  private static void body(String text, Set<String> tokens) {
    Matcher u = Urls.URL.matcher(text);
    while (u.find() && tokens.size() < MAX_TOKENS) {
      url(u.group(), tokens);
    }
    Matcher e = EMAIL.matcher(text);
    while (e.find() && tokens.size() < MAX_TOKENS) {
      tokens.add("email-domain:" + e.group(2).toLowerCase(Locale.ROOT));
    }
    Matcher m = WORD.matcher(text);
    while (m.find() && tokens.size() < MAX_TOKENS) {
      String w = strip(m.group().toLowerCase(Locale.ROOT));
      int len = w.length();
      if (len < 3) {
        continue;
      }
      if (len > 12) {
        tokens.add("skip:" + w.charAt(0) + " " + (len / 10) * 10);
      } else {
        tokens.add(w);
      }
    }
  }

  private static String strip(String w) {
    int start = 0;
    int end = w.length();
    while (start < end && "'!-".indexOf(w.charAt(start)) >= 0) {
      start++;
    }
    while (end > start && "'-".indexOf(w.charAt(end - 1)) >= 0) {
      end--;
    }
    return w.substring(start, end);
  }

  private static void url(String href, Set<String> tokens) {
    String lower = href.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https")) {
      tokens.add("proto:https");
    } else if (lower.startsWith("http")) {
      tokens.add("proto:http");
    }
    String host = Urls.host(href);
    if (host.isEmpty()) {
      return;
    }
    if (Urls.isIp(host)) {
      tokens.add("url:ip");
      return;
    }
    String[] labels = host.split("\\.");
    for (int i = 0; i < labels.length; i++) {
      tokens.add("url:" + String.join(".", List.of(labels).subList(i, labels.length)));
    }
  }
}
