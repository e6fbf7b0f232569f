package io.portcullis.filter.spam;

import java.net.IDN;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Host extraction and registrable-domain approximation for link rules. Stateless. */
final class Urls {

  static final Pattern URL = Pattern.compile("(?i)\\b(?:https?://|www\\.)[^\\s<>\"'()]{1,500}");
  private static final Pattern HOST =
      Pattern.compile("(?i)^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/?#]*@)?(\\[[0-9a-f:.]+]|[^:/?#\\s]+)");
  private static final Pattern IPV4 =
      Pattern.compile("^\\d{1,3}(\\.\\d{1,3}){3}$|^\\d{8,10}$|^0x[0-9a-f]{8}$");

  /** Compiled once: {@link String#matches} compiled both for every link of every message. */
  private static final Pattern URL_TEXT = Pattern.compile("^(https?://|www\\.)\\S+$");

  private static final Pattern DOMAIN_TEXT =
      Pattern.compile(
          "^[a-z0-9-]{1,63}(\\.[a-z0-9-]{1,63}){0,8}\\.(com|net|org|io|co|uk|de|fr|info|biz|gov|edu|[a-z]{2})(/\\S*)?$");

  /** Second-level labels under which registrations happen (co.uk, com.au, ...). */
  private static final Set<String> SECOND_LEVEL =
      Set.of("co", "com", "net", "org", "ac", "gov", "edu", "ne", "or", "go", "gob", "mil", "nic");

  private Urls() {}

  /**
   * The first index where {@link #URL} could match: "http" or "www." in any case; -1 if there is
   * none, so a text without links skips the regex search. A superset of the pattern's starts.
   */
  static int firstUrlCandidate(String text) {
    for (int i = 0, n = text.length() - 3; i < n; i++) {
      int c = text.charAt(i) | 0x20;
      if ((c == 'h' && text.regionMatches(true, i, "http", 0, 4))
          || (c == 'w' && text.regionMatches(true, i, "www.", 0, 4))) {
        return i;
      }
    }
    return -1;
  }

  /** The host of a URL or URL-looking text, lower case, IDN in ASCII form; empty if none. */
  static String host(String url) {
    String u = url.strip();
    if (u.toLowerCase(Locale.ROOT).startsWith("mailto:")) {
      return "";
    }
    Matcher m = HOST.matcher(u);
    if (!m.find()) {
      return "";
    }
    String host = m.group(1).toLowerCase(Locale.ROOT);
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    try {
      return IDN.toASCII(host, IDN.ALLOW_UNASSIGNED);
    } catch (IllegalArgumentException e) {
      return host;
    }
  }

  static boolean isIp(String host) {
    return host.startsWith("[") || IPV4.matcher(host).matches();
  }

  /** The registrable domain, approximated without the public suffix list. */
  static String registrable(String host) {
    if (isIp(host)) {
      return host;
    }
    String[] labels = host.split("\\.");
    if (labels.length <= 2) {
      return host;
    }
    int n = labels.length;
    boolean ccSecond = labels[n - 1].length() == 2 && SECOND_LEVEL.contains(labels[n - 2]);
    int keep = ccSecond ? 3 : 2;
    return String.join(".", java.util.Arrays.copyOfRange(labels, n - keep, n));
  }

  /** Whether a link text looks like a URL or a bare domain (what a reader trusts). */
  static boolean looksLikeUrl(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.length() > 300) {
      return false;
    }
    return URL_TEXT.matcher(t).matches() || DOMAIN_TEXT.matcher(t).matches();
  }
}
