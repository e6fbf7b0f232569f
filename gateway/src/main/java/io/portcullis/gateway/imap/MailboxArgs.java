package io.portcullis.gateway.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Finds the mailbox names a client command names (RFC 9051 §6.3, §6.4.7, RFC 6851, RFC 4314, RFC
 * 9208, RFC 5464), from the command's first line: each as the decoded astring, or as a literal that
 * follows the line (which the relay cannot see before relaying). Stateless.
 */
final class MailboxArgs {
  /** Commands whose first argument is a mailbox. */
  private static final Set<String> FIRST =
      Set.of(
          "SELECT",
          "EXAMINE",
          "CREATE",
          "DELETE",
          "SUBSCRIBE",
          "UNSUBSCRIBE",
          "STATUS",
          "APPEND",
          "GETQUOTAROOT",
          "GETACL",
          "SETACL",
          "DELETEACL",
          "MYRIGHTS",
          "LISTRIGHTS",
          "GETMETADATA",
          "SETMETADATA");

  /** What a command names. */
  sealed interface Names {}

  /** The command names no mailbox, or only the ones listed. */
  record Known(List<String> mailboxes) implements Names {}

  /** The next mailbox name is the literal that follows the line; the relay reads it first. */
  record LiteralName() implements Names {}

  /** A mailbox argument the relay cannot read (a list where a name belongs). */
  record Unreadable() implements Names {}

  private MailboxArgs() {}

  /**
   * The mailboxes named by a command whose first line (tag and name included, without CRLF) is
   * {@code line}, and which ends with a literal when {@code literalFollows}.
   */
  static Names of(String line, boolean literalFollows) {
    List<Token> tokens = tokens(line, literalFollows);
    if (tokens == null || tokens.size() < 2) {
      return new Known(List.of());
    }
    String name = tokens.get(1).text().toUpperCase(Locale.ROOT);
    int args = 2;
    if (name.equals("UID") && tokens.size() > 2) {
      name = tokens.get(2).text().toUpperCase(Locale.ROOT);
      args = 3;
    }
    List<Integer> positions =
        switch (name) {
          case "RENAME" -> List.of(args, args + 1);
          case "COPY", "MOVE" -> List.of(args + 1);
          default -> FIRST.contains(name) ? List.of(args) : List.of();
        };
    List<String> names = new ArrayList<>();
    for (int p : positions) {
      if (p >= tokens.size()) {
        // Missing, or given as the literal after the line: unreadable only if one follows.
        if (literalFollows && p == tokens.size()) {
          return new LiteralName();
        }
        continue;
      }
      Token t = tokens.get(p);
      if (t.list()) {
        return new Unreadable();
      }
      names.add(t.text());
    }
    return new Known(names);
  }

  private record Token(String text, boolean list) {}

  /**
   * Splits a command line into atoms, decoded quoted strings and parenthesized lists; null on a
   * syntax error the upstream will refuse anyway.
   */
  private static List<Token> tokens(String line, boolean literalFollows) {
    String text = line;
    if (literalFollows) {
      int brace = text.lastIndexOf('{');
      if (brace < 0) {
        return null;
      }
      text = text.substring(0, brace);
      if (text.endsWith("~")) {
        text = text.substring(0, text.length() - 1);
      }
    }
    List<Token> out = new ArrayList<>();
    int i = 0;
    int n = text.length();
    while (i < n) {
      char c = text.charAt(i);
      if (c == ' ') {
        i++;
      } else if (c == '"') {
        StringBuilder b = new StringBuilder();
        i++;
        while (i < n && text.charAt(i) != '"') {
          if (text.charAt(i) == '\\' && i + 1 < n) {
            i++;
          }
          b.append(text.charAt(i++));
        }
        if (i >= n) {
          return null;
        }
        i++;
        out.add(new Token(b.toString(), false));
      } else if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        int depth = 0;
        int start = i;
        while (i < n) {
          char d = text.charAt(i);
          if (d == c) {
            depth++;
          } else if (d == close && --depth == 0) {
            break;
          }
          i++;
        }
        i++;
        out.add(new Token(text.substring(start, Math.min(i, n)), true));
      } else {
        int start = i;
        while (i < n && text.charAt(i) != ' ' && text.charAt(i) != '(') {
          i++;
        }
        out.add(new Token(text.substring(start, i), false));
      }
    }
    return out;
  }

  /**
   * A mailbox name as the server would resolve it, for comparison only: modified UTF-7 (RFC 3501
   * §5.1.3) decoded, {@code INBOX} in any case as INBOX (RFC 9051 §5.1), then case-folded, since a
   * server may fold case too; the hiding errs on the side of hiding.
   */
  static String canonical(String name) {
    String decoded = decodeModifiedUtf7(name);
    return decoded.toLowerCase(Locale.ROOT);
  }

  /** Modified UTF-7; an invalid sequence is kept as it is (the server will refuse it). */
  static String decodeModifiedUtf7(String s) {
    StringBuilder out = new StringBuilder(s.length());
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != '&') {
        out.append(c);
        i++;
        continue;
      }
      int end = s.indexOf('-', i + 1);
      if (end < 0) {
        out.append(s, i, s.length());
        break;
      }
      if (end == i + 1) {
        out.append('&');
      } else {
        String b64 = s.substring(i + 1, end).replace(',', '/');
        try {
          byte[] bytes = java.util.Base64.getDecoder().decode(pad(b64));
          out.append(new String(bytes, java.nio.charset.StandardCharsets.UTF_16BE));
        } catch (IllegalArgumentException e) {
          out.append(s, i, end + 1);
        }
      }
      i = end + 1;
    }
    return out.toString();
  }

  private static String pad(String b64) {
    int rem = b64.length() % 4;
    return rem == 0 ? b64 : b64 + "=".repeat(4 - rem);
  }

  /** Whether {@code name} is the hidden mailbox or inside it. */
  static boolean hidden(String name, String quarantine) {
    String n = canonical(name);
    String q = canonical(quarantine);
    if (n.equals(q)) {
      return true;
    }
    // Anything inside it, whatever the server's hierarchy delimiter.
    for (char delimiter : new char[] {'/', '.', '\\'}) {
      if (n.startsWith(q + delimiter)) {
        return true;
      }
    }
    return false;
  }

  /** Reads the mailbox name from a LIST/LSUB or STATUS response (text after {@code * }). */
  static Optional<String> responseMailbox(String untagged) {
    String upper = untagged.toUpperCase(Locale.ROOT);
    List<Token> t = tokens(untagged, false);
    if (t == null || t.isEmpty()) {
      return Optional.empty();
    }
    if (upper.startsWith("LIST ") || upper.startsWith("LSUB ")) {
      // LIST (attrs) delimiter name [extended data]
      return t.size() >= 4 ? Optional.of(t.get(3).text()) : Optional.empty();
    }
    if (upper.startsWith("STATUS ")) {
      return t.size() >= 2 ? Optional.of(t.get(1).text()) : Optional.empty();
    }
    return Optional.empty();
  }
}
