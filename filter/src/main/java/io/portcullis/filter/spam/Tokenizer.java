package io.portcullis.filter.spam;

import io.portcullis.filter.mime.HeaderField;
import io.portcullis.filter.mime.MimeWalker;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a message into the set of tokens the statistical classifier counts, in the manner of
 * SpamBayes: words of 3–12 characters, a length summary for longer words, URL host pieces, sender
 * and subject tokens, selected header tokens, MIME structure, the share of non-ASCII characters and
 * the non-Latin scripts used. Each token counts once per message. Thread-safe.
 */
public final class Tokenizer {

  /**
   * The version of the token set this class produces, recorded in every model file. Bump it with
   * any change that alters the tokens of some message: a model counted from other tokens scores
   * silently badly, so {@link SpamModel#load} refuses it and asks for retraining.
   */
  public static final int VERSION = 2;

  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}$€£'!-]+");
  private static final Pattern EMAIL =
      Pattern.compile("([\\w.+-]{1,64})@([\\w-]{1,63}(?:\\.[\\w-]{1,63}){1,8})");
  private static final Pattern EMAIL_DOMAIN =
      Pattern.compile("[\\w-]{1,63}(?:\\.[\\w-]{1,63}){1,8}");

  private static boolean isLocalPartChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '+' || c == '-';
  }

  private static final Pattern IP =
      Pattern.compile("\\b(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\b");
  private static final int MAX_TOKENS = 20_000;
  private static final Pattern PATH_SEPARATORS = Pattern.compile("[/?&=.#_-]+");

  /** The token set of one message. */
  public Set<String> tokens(MimeWalker.Content content) {
    return tokens(SpamText.of(content));
  }

  /** The token set of one message whose HTML is already parsed. */
  public Set<String> tokens(SpamText content) {
    Set<String> tokens = new LinkedHashSet<>();
    Map<String, Integer> headerCounts = new HashMap<>();
    for (HeaderField h : content.headers) {
      if (isDeliveryPath(h.name())) {
        continue;
      }
      header(h, tokens);
      headerCounts.merge(h.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
    }
    headerCounts.forEach((name, count) -> tokens.add("header:" + name + ":" + Math.min(count, 10)));
    for (MimeWalker.PartMeta part : content.parts) {
      tokens.add("content-type:" + part.mimeType());
      if (!part.fileName().isEmpty()) {
        String name = part.fileName().toLowerCase(Locale.ROOT);
        int dot = name.lastIndexOf('.');
        tokens.add("filename-ext:" + (dot < 0 ? "" : name.substring(dot + 1)));
      }
    }
    for (String text : content.plainTexts) {
      // HTML pasted into text/plain is read as HTML would be: markup is not vocabulary.
      String own = stripListFooter(text);
      body(own.indexOf('<') >= 0 ? Html.text(own) : own, tokens);
    }
    for (Html parsed : content.html) {
      body(parsed.visibleText, tokens);
      for (Html.Link link : parsed.links) {
        url(link.href(), link.host(), tokens);
      }
      if (parsed.images > 0) {
        tokens.add("html:img");
      }
      if (parsed.hiddenTextChars > 0) {
        tokens.add("html:hidden-text");
      }
    }
    if (content.plainTexts.isEmpty() && !content.html.isEmpty()) {
      tokens.add("mime:html-only");
    }
    return tokens;
  }

  /**
   * Headers added by the lists and relays a message passed through: they describe the recipient's
   * infrastructure, not the message, and a classifier that learns them calls any spam sent through
   * a familiar list ham.
   */
  static boolean isDeliveryPath(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.startsWith("list-")
        || n.startsWith("x-beenthere")
        || n.startsWith("x-mailman")
        || n.startsWith("x-spam")
        || n.startsWith("x-original")
        || n.equals("errors-to")
        || n.equals("sender")
        || n.equals("return-path")
        || n.equals("delivered-to")
        || n.equals("precedence")
        || n.equals("x-loop")
        || n.equals("mailing-list")
        || n.equals("x-mailing-list")
        || n.equals("x-list")
        || n.equals("x-received")
        || n.equals("x-egroups-return")
        || n.equals("x-apparently-to")
        || isMailboxState(n);
  }

  /**
   * Headers a mail store or client writes into its own copy (mbox status, IMAP keywords, local
   * delivery time): they describe where a corpus was kept, and a scanned message does not have them
   * yet.
   */
  private static boolean isMailboxState(String n) {
    return n.equals("status")
        || n.equals("x-status")
        || n.equals("x-keywords")
        || n.equals("x-uid")
        || n.equals("delivery-date")
        || n.equals("content-length")
        || n.equals("lines")
        || n.startsWith("x-evolution");
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
        // Relays say where a corpus was collected, not what a message is.
      }
      case "message-id" -> {
        int at = value.lastIndexOf('@');
        tokens.add("message-id:" + (at < 0 ? "no-domain" : "has-domain"));
      }
      case "date" -> {
        // Dates say when a corpus was collected, not what a message is.
      }
      default -> {
        int n = 0;
        for (String w : value.toLowerCase(Locale.ROOT).split("[\\s;=\"<>(),:\\[\\]]+")) {
          if (w.length() >= 3 && w.length() <= 20 && n++ < 30) {
            tokens.add(name + ":" + w);
          }
        }
      }
    }
  }

  private static final Pattern FOOTER_RULE = Pattern.compile("(?m)^[_=-]{30,}\\s*$");
  private static final Pattern FOOTER_WORDS =
      Pattern.compile("(?i)mailing list|sponsored by|unsubscribe|listinfo|list-request");

  /** A line that names a list's own page, as Mailman and its kin append to every post. */
  private static final Pattern LIST_LINE =
      Pattern.compile("(?im)^.*(?:/listinfo/|/mailman/|\\bmailing list\\b).*$");

  private static final int FOOTER_TAIL = 2500;
  private static final int FOOTER_AFTER_LIST_LINE = 400;

  /**
   * Removes a mailing-list footer: like list headers it is added by the list, and the same footer
   * is appended to the list's ham and its spam. A footer is a rule line near the end followed by
   * list boilerplate, or, without a rule (lists that append a bare URL, also to HTML bodies), the
   * last lines from one naming the list's page.
   */
  static String stripListFooter(String text) {
    int from = Math.max(0, text.length() - FOOTER_TAIL);
    Matcher m = FOOTER_RULE.matcher(text);
    if (m.find(from)) {
      do {
        if (FOOTER_WORDS.matcher(text).region(m.end(), text.length()).find()) {
          return text.substring(0, m.start());
        }
      } while (m.find());
    }
    if (!mayNameListPage(text, from)) {
      return text;
    }
    Matcher line = LIST_LINE.matcher(text).region(from, text.length());
    while (line.find()) {
      if (text.length() - line.end() <= FOOTER_AFTER_LIST_LINE) {
        return text.substring(0, line.start());
      }
    }
    return text;
  }

  /**
   * Whether {@link #LIST_LINE} can match from {@code from}: one of its literals occurs, in any
   * case. A superset of the pattern's matches; it saves backtracking {@code ^.*} over every line of
   * text that names no list.
   */
  private static boolean mayNameListPage(String text, int from) {
    for (int i = from, n = text.length(); i < n; i++) {
      char c = text.charAt(i);
      if ((c == '/'
              && (text.regionMatches(true, i, "/listinfo/", 0, 10)
                  || text.regionMatches(true, i, "/mailman/", 0, 9)))
          || ((c | 0x20) == 'm' && text.regionMatches(true, i, "mailing list", 0, 12))) {
        return true;
      }
    }
    return false;
  }

  private static void body(String raw, Set<String> tokens) {
    String text = stripListFooter(raw);
    int urlStart = Urls.firstUrlCandidate(text);
    if (urlStart >= 0) {
      Matcher u = Urls.URL.matcher(text);
      boolean found = u.find(urlStart);
      while (found && tokens.size() < MAX_TOKENS) {
        String href = u.group();
        url(href, Urls.host(href), tokens);
        found = u.find();
      }
    }
    // From each '@' rather than a regex search from every position: the address pattern's local
    // part made that search cost a few milliseconds on a 40 KB newsletter.
    Matcher domain = EMAIL_DOMAIN.matcher(text);
    for (int at = text.indexOf('@'); at >= 0 && tokens.size() < MAX_TOKENS; ) {
      if (at > 0 && isLocalPartChar(text.charAt(at - 1))) {
        domain.region(at + 1, text.length());
        if (domain.lookingAt()) {
          tokens.add("email-domain:" + domain.group().toLowerCase(Locale.ROOT));
        }
      }
      at = text.indexOf('@', at + 1);
    }
    // Words by hand rather than by WORD.matcher: the property-union character class was the
    // largest cost of tokenizing a long newsletter.
    int n = text.length();
    int i = 0;
    Alphabet alphabet = new Alphabet();
    while (i < n && tokens.size() < MAX_TOKENS) {
      while (i < n && !isWordChar(text.codePointAt(i))) {
        i += Character.charCount(text.codePointAt(i));
      }
      int start = i;
      int c;
      while (i < n && isWordChar(c = text.codePointAt(i))) {
        alphabet.count(c);
        i += Character.charCount(c);
      }
      if (start == i) {
        break;
      }
      String word = text.substring(start, i);
      String w = strip(word.toLowerCase(Locale.ROOT));
      int len = w.length();
      if (len < 3) {
        continue;
      }
      if (len > 12) {
        tokens.add("skip:" + w.charAt(0) + " " + (len / 10) * 10);
      } else {
        tokens.add(w);
        if (isShouted(word)) {
          // Graham kept case: "FREE" in capitals is a different word from "free".
          tokens.add("caps:" + w);
        }
      }
    }
    alphabet.addTokens(tokens);
  }

  /**
   * What a text is written in, as SpamBayes' {@code 8bit%} tokens: the share of word characters
   * outside ASCII and each non-Latin script used. A word of a language no training message used is
   * unknown to the classifier, but its script is not; counted on the characters the word scan
   * visits anyway, with a script lookup only for characters past Latin.
   */
  private static final class Alphabet {
    private static final int MIN_CHARS = 20;
    private static final int MIN_SCRIPT_CHARS = 10;

    private int chars;
    private int high;
    private Map<Character.UnicodeScript, Integer> scripts;

    void count(int c) {
      chars++;
      if (c < 0x80) {
        return;
      }
      high++;
      if (c >= 0x370 && Character.isLetter(c)) { // below U+0370 everything is Latin
        Character.UnicodeScript script = Character.UnicodeScript.of(c);
        if (script != Character.UnicodeScript.LATIN) {
          if (scripts == null) {
            scripts = new java.util.EnumMap<>(Character.UnicodeScript.class);
          }
          scripts.merge(script, 1, Integer::sum);
        }
      }
    }

    void addTokens(Set<String> tokens) {
      if (chars >= MIN_CHARS) {
        int pct = (int) (100L * high / chars);
        tokens.add(
            "8bit%:"
                + (pct == 0
                    ? "0"
                    : pct < 5 ? "1-4" : pct < 20 ? "5-19" : pct < 50 ? "20-49" : "50+"));
      }
      if (scripts != null) {
        scripts.forEach(
            (script, count) -> {
              if (count >= MIN_SCRIPT_CHARS) {
                tokens.add("script:" + script.name().toLowerCase(Locale.ROOT));
              }
            });
      }
    }
  }

  /** The characters of {@link #WORD}: letters, digits, and $ € £ ' ! - inside or around them. */
  private static boolean isWordChar(int c) {
    if (c < 0x80) {
      // ASCII without the Unicode tables: no other ASCII character is a letter or a number.
      int folded = c | 0x20;
      return (folded >= 'a' && folded <= 'z')
          || (c >= '0' && c <= '9')
          || c == '$'
          || c == '\''
          || c == '!'
          || c == '-';
    }
    return Character.isLetter(c)
        || Character.getType(c) == Character.DECIMAL_DIGIT_NUMBER
        || Character.getType(c) == Character.LETTER_NUMBER
        || Character.getType(c) == Character.OTHER_NUMBER
        || c == '$'
        || c == '€'
        || c == '£'
        || c == '\''
        || c == '!'
        || c == '-';
  }

  private static boolean isShouted(String w) {
    int letters = 0;
    for (int i = 0; i < w.length(); i++) {
      char c = w.charAt(i);
      if (Character.isLowerCase(c)) {
        return false;
      }
      if (Character.isLetter(c)) {
        letters++;
      }
    }
    return letters >= 3;
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

  private static void url(String href, String host, Set<String> tokens) {
    String lower = href.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https")) {
      tokens.add("proto:https");
    } else if (lower.startsWith("http")) {
      tokens.add("proto:http");
    }
    if (host.isEmpty()) {
      return;
    }
    if (Urls.isIp(host)) {
      tokens.add("url:ip");
    } else {
      String[] labels = host.split("\\.");
      for (int i = 0; i < labels.length; i++) {
        tokens.add("url:" + String.join(".", List.of(labels).subList(i, labels.length)));
      }
    }
    // Path pieces, as SpamBayes does: remove.html, cgi-bin, unsubscribe, affiliate ids.
    int pathStart = lower.indexOf('/', lower.indexOf("//") < 0 ? 0 : lower.indexOf("//") + 2);
    if (pathStart > 0) {
      int n = 0;
      for (String piece :
          PATH_SEPARATORS.split(
              lower.substring(pathStart, Math.min(lower.length(), pathStart + 300)))) {
        if (piece.length() >= 2 && piece.length() <= 20 && n++ < 10) {
          tokens.add("url-path:" + piece);
        }
      }
    }
  }
}
