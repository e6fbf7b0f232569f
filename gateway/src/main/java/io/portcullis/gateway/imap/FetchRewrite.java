package io.portcullis.gateway.imap;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes a client's FETCH ask for the UID too (RFC 9051 §6.4.5; a server may always send more items
 * than asked for, so clients accept it), and reads the UID of a FETCH response. Stateless.
 */
final class FetchRewrite {
  private static final Pattern UID_ITEM = Pattern.compile("(?i)(^|[ (])UID([ )]|$)");
  private static final Pattern RESPONSE = Pattern.compile("(?i)^\\* \\d{1,10} FETCH \\(");

  private FetchRewrite() {}

  /**
   * The command line with {@code UID} among the items of a plain FETCH; unchanged when it has it
   * already or has a shape the relay does not rewrite (the response filter then fails closed).
   */
  static String withUid(String line) {
    String upper = line.toUpperCase(Locale.ROOT);
    int fetch = upper.indexOf(" FETCH ");
    if (fetch < 0) {
      return line;
    }
    int setStart = fetch + " FETCH ".length();
    int setEnd = line.indexOf(' ', setStart);
    if (setEnd < 0) {
      return line;
    }
    String head = line.substring(0, setEnd + 1);
    String items = line.substring(setEnd + 1);
    if (items.startsWith("(")) {
      int close = items.indexOf(')');
      String list = close > 0 ? items.substring(0, close + 1) : items;
      return UID_ITEM.matcher(list).find() ? line : head + "(UID " + items.substring(1);
    }
    String word = items.split(" ", 2)[0].toUpperCase(Locale.ROOT);
    String rest = items.substring(word.length());
    return switch (word) {
      case "ALL" -> head + "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)" + rest;
      case "FAST" -> head + "(UID FLAGS INTERNALDATE RFC822.SIZE)" + rest;
      case "FULL" -> head + "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)" + rest;
      case "UID" -> line;
      default ->
          word.contains("{") || word.contains("[") && !word.endsWith("]")
              ? line
              : head + "(UID " + items.substring(0, word.length()) + ")" + rest;
    };
  }

  /**
   * The UID in a FETCH response's first line (before any literal), or -1. Items are walked at the
   * top level, so text inside an envelope's quoted strings (a subject of "UID 7") is never taken
   * for the item.
   */
  static long uid(String responseLine) {
    Matcher m = RESPONSE.matcher(responseLine);
    if (!m.find()) {
      return -1;
    }
    String s = responseLine;
    int i = m.end();
    boolean name = true;
    String last = "";
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == ' ') {
        i++;
        continue;
      }
      if (c == ')' || c == '{' || c == '~') {
        return -1; // end of the items, or a literal before any UID
      }
      int start = i;
      if (c == '"') {
        i++;
        while (i < s.length() && s.charAt(i) != '"') {
          i += s.charAt(i) == '\\' ? 2 : 1;
        }
        i++;
      } else if (c == '(') {
        int depth = 0;
        boolean quoted = false;
        while (i < s.length()) {
          char d = s.charAt(i);
          if (quoted) {
            if (d == '\\') {
              i++;
            } else if (d == '"') {
              quoted = false;
            }
          } else if (d == '"') {
            quoted = true;
          } else if (d == '(') {
            depth++;
          } else if (d == ')' && --depth == 0) {
            break;
          } else if (d == '{') {
            return -1;
          }
          i++;
        }
        i++;
      } else {
        // An atom; a section like BODY[HEADER.FIELDS (A B)] keeps its brackets together.
        int bracket = 0;
        while (i < s.length()) {
          char d = s.charAt(i);
          if (d == '[') {
            bracket++;
          } else if (d == ']') {
            bracket--;
          } else if (bracket == 0 && (d == ' ' || d == ')' || d == '(')) {
            break;
          }
          i++;
        }
      }
      String token = s.substring(start, Math.min(i, s.length()));
      if (!name && last.equalsIgnoreCase("UID")) {
        return token.chars().allMatch(Character::isDigit) && !token.isEmpty() && token.length() < 11
            ? Long.parseLong(token)
            : -1;
      }
      last = token;
      name = !name;
    }
    return -1;
  }
}
