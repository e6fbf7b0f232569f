package io.portcullis.filter.spam;

import io.portcullis.filter.Finding;
import io.portcullis.filter.mime.HeaderField;
import io.portcullis.filter.mime.MimeWalker;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The explainable spam and phishing rules: header anomalies, Authentication-Results (RFC 8601) from
 * trusted authserv-ids only, link and HTML content rules, phishing phrases, and the statistical
 * classifier's band. Each rule has an id and a weight ({@link #DEFAULT_WEIGHTS}, overridable).
 * Immutable and thread-safe.
 */
public final class SpamRules {

  /** Rule ids and their default weights; docs/filtering.md explains each. */
  public static final Map<String, Double> DEFAULT_WEIGHTS = defaults();

  /**
   * Rules that count towards the phishing label, with their phishing weight (separate from the spam
   * weight: a link whose text names another domain is typical of phishing, and of newsletters'
   * click trackers, so it weighs much more for phishing than for spam).
   */
  public static final Map<String, Double> PHISHING_WEIGHTS =
      Map.of(
          "from-display-name-spoof", 2.5,
          "auth-dmarc-fail", 3.0,
          "link-text-domain-mismatch", 2.5,
          "link-ip-address", 1.5,
          "phishing-phrase", 1.0);

  private static Map<String, Double> defaults() {
    Map<String, Double> w = new LinkedHashMap<>();
    w.put("missing-from", 2.0);
    w.put("malformed-from", 1.5);
    w.put("missing-date", 1.0);
    w.put("date-in-future", 1.0);
    w.put("missing-message-id", 1.0);
    w.put("missing-subject", 0.5);
    w.put("missing-to", 0.0);
    w.put("date-invalid", 1.0);
    w.put("from-ends-in-digits", 1.0);
    w.put("body-shouting", 1.5);
    w.put("subject-padding", 2.0);
    w.put("date-far-from-received", 0.5);
    w.put("subject-all-caps", 2.0);
    w.put("subject-adv", 2.0);
    w.put("x-mailer-random", 1.5);
    w.put("from-empty-comment", 1.0);
    w.put("from-display-name-spoof", 2.5);
    w.put("reply-to-other-domain", 0.0);
    w.put("received-too-many-hops", 1.0);
    w.put("auth-spf-fail", 1.0);
    w.put("auth-spf-softfail", 0.5);
    w.put("auth-dkim-fail", 1.0);
    w.put("auth-dmarc-fail", 3.0);
    w.put("auth-dmarc-pass", -0.5);
    w.put("link-text-domain-mismatch", 0.5);
    w.put("link-ip-address", 2.0);
    w.put("link-shortener", 1.0);
    w.put("html-hidden-text", 1.0);
    w.put("html-image-only", 1.5);
    w.put("phishing-phrase", 1.0);
    w.put("bayes-00", -2.0);
    w.put("bayes-20", -1.0);
    w.put("bayes-50", 0.0);
    w.put("bayes-80", 2.5);
    w.put("bayes-90", 4.0);
    w.put("bayes-99", 5.0);
    return java.util.Collections.unmodifiableMap(w);
  }

  static final Set<String> SHORTENERS =
      Set.of(
          "bit.ly",
          "tinyurl.com",
          "t.co",
          "goo.gl",
          "ow.ly",
          "is.gd",
          "buff.ly",
          "rebrand.ly",
          "cutt.ly",
          "shorturl.at",
          "tiny.cc",
          "rb.gy",
          "t.ly",
          "s.id",
          "v.gd",
          "bl.ink",
          "lnkd.in");

  static final List<String> PHISHING_PHRASES =
      List.of(
          "verify your account",
          "confirm your account",
          "validate your account",
          "reactivate your account",
          "verify your identity",
          "account has been suspended",
          "account will be suspended",
          "account has been locked",
          "account will be closed",
          "unusual sign-in activity",
          "unusual activity",
          "confirm your password",
          "your password will expire",
          "password expires today",
          "update your payment",
          "update your billing",
          "your mailbox is full",
          "mailbox quota",
          "click here to verify",
          "failure to do so will",
          "within 24 hours");

  private static final Pattern ADDR =
      Pattern.compile("([^\\s<>\"(),;:@]{1,64})@([A-Za-z0-9.-]{1,253}\\.[A-Za-z]{2,63})");
  private static final Pattern FROM_DIGITS = Pattern.compile("[A-Za-z][A-Za-z._-]{0,64}\\d{3,12}@");
  private static final int MAX_HOPS = 30;

  /**
   * "ADV:" opening the subject (after any list tag): the label several US state laws required on
   * unsolicited advertising.
   */
  private static final Pattern SUBJECT_ADV =
      Pattern.compile("(?i)^\\s*(\\[[^\\]]{0,40}\\]\\s*)?adv\\s*:");

  /** One run of letters and digits, the shape of a random X-Mailer (bulk-mailer noise). */
  private static final Pattern RANDOM_MAILER = Pattern.compile("^[A-Za-z0-9]{12,64}$");

  /** An address followed by an empty comment, "user@example.com ()": a bulk mailer's template. */
  private static final Pattern FROM_EMPTY_COMMENT =
      Pattern.compile("@[^\\s()]{1,253}\\s*\\(\\s*\\)\\s*$");

  private static final Pattern SUBJECT_PADDING = Pattern.compile("(\\s{5,}\\S{1,20}|\\d{6,})\\s*$");

  private final Map<String, Double> weights;
  private final Set<String> trustedAuthservIds;

  /**
   * @param weightOverrides weights replacing the defaults (unknown rule ids are rejected)
   * @param trustedAuthservIds authserv-ids whose Authentication-Results are believed (RFC 8601 §5)
   */
  public SpamRules(Map<String, Double> weightOverrides, Set<String> trustedAuthservIds) {
    Map<String, Double> w = new HashMap<>(DEFAULT_WEIGHTS);
    weightOverrides.forEach(
        (k, v) -> {
          if (!DEFAULT_WEIGHTS.containsKey(k)) {
            throw new IllegalArgumentException("unknown spam rule '" + k + "'");
          }
          if (v == null || !Double.isFinite(v)) {
            throw new IllegalArgumentException("weight of '" + k + "' must be a finite number");
          }
          w.put(k, v);
        });
    this.weights = Map.copyOf(w);
    this.trustedAuthservIds =
        trustedAuthservIds.stream()
            .map(s -> s.toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
  }

  public double weight(String rule) {
    return weights.getOrDefault(rule, 0.0);
  }

  private Finding finding(String rule, String reason, String location) {
    return new Finding(rule, null, weight(rule), reason, location);
  }

  /** Header and content rules. */
  public List<Finding> evaluate(MimeWalker.Content content, Instant now) {
    return evaluate(SpamText.of(content), now);
  }

  /** Header and content rules on a message whose HTML is already parsed. */
  public List<Finding> evaluate(SpamText content, Instant now) {
    List<Finding> out = new ArrayList<>();
    headers(content.headers, now, out);
    List<String> texts = new ArrayList<>(content.plainTexts);
    int linkMismatch = 0;
    boolean ipLink = false;
    boolean shortener = false;
    for (Html parsed : content.html) {
      texts.add(parsed.visibleText);
      for (Html.Link link : parsed.links) {
        String hrefHost = link.host();
        if (hrefHost.isEmpty()) {
          continue;
        }
        if (Urls.looksLikeUrl(link.text())) {
          String textHost = Urls.host(link.text());
          if (!textHost.isEmpty()
              && !Urls.registrable(textHost).equals(Urls.registrable(hrefHost))
              && linkMismatch++ == 0) {
            out.add(
                finding(
                    "link-text-domain-mismatch",
                    "link text shows " + textHost + " but points to " + hrefHost,
                    "html body"));
          }
        }
        if (Urls.isIp(hrefHost) && !ipLink) {
          ipLink = true;
          out.add(finding("link-ip-address", "link to the IP address " + hrefHost, "html body"));
        }
        if (SHORTENERS.contains(hrefHost) && !shortener) {
          shortener = true;
          out.add(finding("link-shortener", "link through the shortener " + hrefHost, "html body"));
        }
      }
      if (parsed.hiddenTextChars >= 20) {
        out.add(
            finding(
                "html-hidden-text",
                parsed.hiddenTextChars + " characters of text hidden by CSS",
                "html body"));
      }
      if (parsed.images > 0
          && parsed.visibleText.length() < 40
          && content.plainTexts.stream().allMatch(t -> t.strip().length() < 40)) {
        out.add(finding("html-image-only", "HTML body is images with almost no text", "html body"));
      }
    }
    for (String text : content.plainTexts) {
      int urlStart = Urls.firstUrlCandidate(text);
      Matcher u = Urls.URL.matcher(text);
      for (boolean found = urlStart >= 0 && u.find(urlStart); found; found = u.find()) {
        String host = Urls.host(u.group());
        if (Urls.isIp(host) && !ipLink) {
          ipLink = true;
          out.add(finding("link-ip-address", "link to the IP address " + host, "text body"));
        }
        if (SHORTENERS.contains(host) && !shortener) {
          shortener = true;
          out.add(finding("link-shortener", "link through the shortener " + host, "text body"));
        }
      }
    }
    String body = String.join(" ", texts);
    long letters = 0;
    long upper = 0;
    for (int i = 0; i < body.length() && i < 200_000; i++) {
      char c = body.charAt(i);
      if (c < 0x80) {
        // ASCII without the Unicode tables: the same answers for these characters.
        int folded = c | 0x20;
        if (folded >= 'a' && folded <= 'z') {
          letters++;
          if (c <= 'Z') {
            upper++;
          }
        }
      } else if (Character.isLetter(c)) {
        letters++;
        if (Character.isUpperCase(c)) {
          upper++;
        }
      }
    }
    if (letters >= 200 && upper * 10 > letters * 4) {
      out.add(
          finding(
              "body-shouting",
              (100 * upper / letters) + "% of the body's letters are capitals",
              "body"));
    }
    String all = Html.collapseWhitespace(body.toLowerCase(Locale.ROOT));
    String subject = header(content.headers, "Subject");
    all = (subject == null ? "" : subject.toLowerCase(Locale.ROOT) + " ") + all;
    int phrases = 0;
    for (String phrase : PHISHING_PHRASES) {
      if (phrases < 3 && all.contains(phrase)) {
        phrases++;
        out.add(finding("phishing-phrase", "phishing phrase \"" + phrase + "\"", "body"));
      }
    }
    return out;
  }

  /** The classifier's band as a finding. */
  public Finding bayes(SpamModel.Classification c) {
    double p = c.probability();
    String rule =
        p < 0.01
            ? "bayes-00"
            : p < 0.20
                ? "bayes-20"
                : p < 0.80
                    ? "bayes-50"
                    : p < 0.90 ? "bayes-80" : p < 0.99 ? "bayes-90" : "bayes-99";
    StringBuilder why = new StringBuilder(String.format(Locale.ROOT, "spam probability %.3f", p));
    if (!c.clues().isEmpty()) {
      why.append("; strongest tokens: ");
      int shown = 0;
      for (SpamModel.Clue clue : c.clues()) {
        if (shown++ == 5) {
          break;
        }
        String token = clue.token().length() > 30 ? clue.token().substring(0, 30) : clue.token();
        why.append(
            String.format(
                Locale.ROOT, "%s%s=%.2f", shown > 1 ? ", " : "", token, clue.probability()));
      }
    }
    return new Finding(rule, null, weight(rule), why.toString(), "message");
  }

  private void headers(List<HeaderField> headers, Instant now, List<Finding> out) {
    String from = header(headers, "From");
    if (from == null) {
      out.add(finding("missing-from", "no From header", "header From"));
    } else {
      int angle = from.lastIndexOf('<');
      // The address is the angle-addr when there is one; anything before it is display text.
      Matcher m = ADDR.matcher(angle >= 0 ? from.substring(angle) : from);
      if (!m.find()) {
        out.add(finding("malformed-from", "From has no valid address", "header From"));
      } else {
        String fromDomain = m.group(2).toLowerCase(Locale.ROOT);
        int lt = angle;
        if (lt > 0) {
          Matcher shown = ADDR.matcher(from.substring(0, lt));
          if (shown.find()
              && !Urls.registrable(shown.group(2).toLowerCase(Locale.ROOT))
                  .equals(Urls.registrable(fromDomain))) {
            out.add(
                finding(
                    "from-display-name-spoof",
                    "display name shows " + shown.group(2) + " but the address is at " + fromDomain,
                    "header From"));
          }
        }
        String replyTo = header(headers, "Reply-To");
        if (replyTo != null) {
          Matcher r = ADDR.matcher(replyTo);
          if (r.find()
              && !Urls.registrable(r.group(2).toLowerCase(Locale.ROOT))
                  .equals(Urls.registrable(fromDomain))) {
            out.add(
                finding(
                    "reply-to-other-domain",
                    "replies go to " + r.group(2) + ", not to " + fromDomain,
                    "header Reply-To"));
          }
        }
      }
    }
    String date = header(headers, "Date");
    if (date == null) {
      out.add(finding("missing-date", "no Date header", "header Date"));
    } else {
      Instant when = parseDate(date);
      if (when == null) {
        out.add(finding("date-invalid", "Date is not an RFC 5322 date-time", "header Date"));
      } else if (when.isAfter(now.plus(Duration.ofDays(1)))) {
        out.add(finding("date-in-future", "dated more than a day in the future", "header Date"));
      } else {
        Instant received = firstReceivedDate(headers);
        if (received != null
            && Duration.between(when, received).abs().compareTo(Duration.ofDays(4)) > 0) {
          out.add(
              finding(
                  "date-far-from-received",
                  "Date is more than 4 days from when the message was received",
                  "header Date"));
        }
      }
    }
    String to = header(headers, "To");
    if ((to == null || to.isBlank() || to.toLowerCase(Locale.ROOT).contains("undisclosed"))
        && header(headers, "Cc") == null) {
      out.add(finding("missing-to", "no visible recipient (To/Cc)", "header To"));
    }
    if (from != null) {
      Matcher digits = FROM_DIGITS.matcher(from);
      if (digits.find()) {
        out.add(
            finding("from-ends-in-digits", "sender's mailbox name ends in digits", "header From"));
      }
    }
    if (header(headers, "Message-ID") == null) {
      out.add(finding("missing-message-id", "no Message-ID header", "header Message-ID"));
    }
    String subject = header(headers, "Subject");
    if (subject == null || subject.isBlank()) {
      out.add(finding("missing-subject", "no subject", "header Subject"));
    } else {
      long letters = subject.chars().filter(Character::isLetter).count();
      if (letters >= 10 && subject.equals(subject.toUpperCase(Locale.ROOT))) {
        out.add(finding("subject-all-caps", "subject is all capitals", "header Subject"));
      }
      if (SUBJECT_ADV.matcher(subject.substring(0, Math.min(subject.length(), 60))).find()) {
        out.add(
            finding(
                "subject-adv", "subject is labelled as an advertisement (ADV:)", "header Subject"));
      }
      // Only the end matters, and a bounded tail keeps the pattern linear on a megabyte subject.
      if (SUBJECT_PADDING.matcher(subject.substring(Math.max(0, subject.length() - 100))).find()) {
        out.add(
            finding(
                "subject-padding",
                "subject ends in padding or a random tag (defeats duplicate detection)",
                "header Subject"));
      }
    }
    String mailer = header(headers, "X-Mailer");
    if (mailer != null && looksRandom(mailer.strip())) {
      out.add(finding("x-mailer-random", "X-Mailer is a random string", "header X-Mailer"));
    }
    if (from != null
        && FROM_EMPTY_COMMENT.matcher(from.substring(Math.max(0, from.length() - 300))).find()) {
      out.add(
          finding(
              "from-empty-comment", "From address followed by an empty comment", "header From"));
    }
    long hops = headers.stream().filter(h -> h.is("Received")).count();
    if (hops > MAX_HOPS) {
      out.add(finding("received-too-many-hops", hops + " Received headers", "header Received"));
    }
    authenticationResults(headers, out);
  }

  /**
   * Whether a token switches between upper case, lower case and digits at least once every three
   * characters: "xLihQRz3QwM5E2FM" does, "ExchangeServer2019" does not.
   */
  static boolean looksRandom(String s) {
    if (!RANDOM_MAILER.matcher(s).matches()) {
      return false;
    }
    int switches = 0;
    for (int i = 1; i < s.length(); i++) {
      if (charClass(s.charAt(i)) != charClass(s.charAt(i - 1))) {
        switches++;
      }
    }
    return switches * 3 >= s.length();
  }

  private static int charClass(char c) {
    return Character.isDigit(c) ? 0 : Character.isUpperCase(c) ? 1 : 2;
  }

  private void authenticationResults(List<HeaderField> headers, List<Finding> out) {
    if (trustedAuthservIds.isEmpty()) {
      return;
    }
    Set<String> seen = new java.util.HashSet<>();
    for (HeaderField h : headers) {
      if (!h.is("Authentication-Results")) {
        continue;
      }
      String[] parts = h.raw().split(";");
      String authserv = parts[0].strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
      if (!trustedAuthservIds.contains(authserv)) {
        continue; // anyone can write this header; only our own MTA's is evidence
      }
      for (int i = 1; i < parts.length; i++) {
        String res = parts[i].strip().toLowerCase(Locale.ROOT);
        Matcher m = Pattern.compile("^(spf|dkim|dmarc)\\s*=\\s*(\\w+)").matcher(res);
        if (!m.find()) {
          continue;
        }
        String rule =
            switch (m.group(1) + "=" + m.group(2)) {
              case "spf=fail" -> "auth-spf-fail";
              case "spf=softfail" -> "auth-spf-softfail";
              case "dkim=fail" -> "auth-dkim-fail";
              case "dmarc=fail" -> "auth-dmarc-fail";
              case "dmarc=pass" -> "auth-dmarc-pass";
              default -> null;
            };
        if (rule != null && seen.add(rule)) {
          out.add(
              finding(
                  rule,
                  m.group(1) + "=" + m.group(2) + " from " + authserv,
                  "header Authentication-Results"));
        }
      }
    }
  }

  static String header(List<HeaderField> headers, String name) {
    for (HeaderField h : headers) {
      if (h.is(name)) {
        return h.value();
      }
    }
    return null;
  }

  /** The time stamp of the topmost Received header (after its last ';'), if it parses. */
  private static Instant firstReceivedDate(List<HeaderField> headers) {
    for (HeaderField h : headers) {
      if (h.is("Received")) {
        int semi = h.value().lastIndexOf(';');
        return semi < 0 ? null : parseDate(h.value().substring(semi + 1));
      }
    }
    return null;
  }

  private static Instant parseDate(String date) {
    String d = date.replaceAll("\\s*\\([^)]*\\)\\s*$", "").strip();
    try {
      return ZonedDateTime.parse(d, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
