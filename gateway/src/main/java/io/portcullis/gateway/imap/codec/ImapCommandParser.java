package io.portcullis.gateway.imap.codec;

import java.util.Locale;
import java.util.Optional;

/**
 * Parses a whole command as {@link ImapFramer} aggregates it (literals inline) into an {@link
 * ImapCommand}, following the RFC 9051 §9 ABNF for tag, atom, quoted and literal. Stateless;
 * thread-safe.
 */
public final class ImapCommandParser {
  /** RFC 2971 §3.3: at most 30 field/value pairs. */
  static final int MAX_ID_FIELDS = 30;

  /** The head of a command line: its tag and command name, upper-cased. */
  public record Head(String tag, String name) {}

  private ImapCommandParser() {}

  /**
   * Reads tag and command name at the start of a command line, or returns empty when there is no
   * valid tag followed by SP and an atom.
   */
  public static Optional<Head> head(String line) {
    Cursor c = new Cursor(line);
    String tag = c.tag();
    if (tag == null || !c.sp()) {
      return Optional.empty();
    }
    String name = c.atom();
    if (name == null) {
      return Optional.empty();
    }
    return Optional.of(new Head(tag, name.toUpperCase(Locale.ROOT)));
  }

  /** Parses one whole command. */
  public static ImapCommand parse(String command) {
    Cursor c = new Cursor(command);
    String tag = c.tag();
    if (tag == null || !c.sp()) {
      return new ImapCommand.Invalid(Optional.empty(), ImapCommand.Problem.BAD_TAG);
    }
    String name = c.atom();
    if (name == null) {
      return invalid(tag, ImapCommand.Problem.SYNTAX);
    }
    try {
      ImapCommand parsed =
          switch (name.toUpperCase(Locale.ROOT)) {
            case "CAPABILITY" -> c.end() ? new ImapCommand.Capability(tag) : null;
            case "NOOP" -> c.end() ? new ImapCommand.Noop(tag) : null;
            case "LOGOUT" -> c.end() ? new ImapCommand.Logout(tag) : null;
            case "STARTTLS" -> c.end() ? new ImapCommand.StartTls(tag) : null;
            case "LOGIN" -> login(tag, c);
            case "AUTHENTICATE" -> authenticate(tag, c);
            case "ID" -> id(tag, c);
            default -> new ImapCommand.Other(tag, name.toUpperCase(Locale.ROOT));
          };
      return parsed == null ? invalid(tag, ImapCommand.Problem.SYNTAX) : parsed;
    } catch (ForbiddenOctet e) {
      return invalid(tag, ImapCommand.Problem.FORBIDDEN_OCTET);
    }
  }

  private static ImapCommand login(String tag, Cursor c) {
    if (!c.sp()) {
      return null;
    }
    String user = c.astring();
    if (user == null || !c.sp()) {
      return null;
    }
    String password = c.astring();
    if (password == null || !c.end()) {
      return null;
    }
    return new ImapCommand.Login(tag, user, password);
  }

  private static ImapCommand authenticate(String tag, Cursor c) {
    if (!c.sp()) {
      return null;
    }
    String mechanism = c.atom();
    if (mechanism == null) {
      return null;
    }
    if (c.end()) {
      return new ImapCommand.Authenticate(tag, mechanism, Optional.empty());
    }
    if (!c.sp()) {
      return null;
    }
    String initial = c.rest();
    if (initial.isEmpty()) {
      return null;
    }
    for (int i = 0; i < initial.length(); i++) {
      char ch = initial.charAt(i);
      if (!(Character.isLetterOrDigit(ch) && ch < 0x80) && ch != '+' && ch != '/' && ch != '=') {
        return null;
      }
    }
    return new ImapCommand.Authenticate(tag, mechanism, Optional.of(initial));
  }

  private static ImapCommand id(String tag, Cursor c) {
    if (!c.sp()) {
      return null;
    }
    if (c.nil()) {
      return c.end() ? new ImapCommand.Id(tag, 0) : null;
    }
    if (!c.take('(')) {
      return null;
    }
    int fields = 0;
    if (c.take(')')) {
      return c.end() ? new ImapCommand.Id(tag, 0) : null;
    }
    do {
      if (++fields > MAX_ID_FIELDS) {
        return null;
      }
      if (c.string() == null || !c.sp()) {
        return null;
      }
      if (!c.nil() && c.string() == null) {
        return null;
      }
    } while (c.sp());
    return c.take(')') && c.end() ? new ImapCommand.Id(tag, fields) : null;
  }

  private static ImapCommand invalid(String tag, ImapCommand.Problem problem) {
    return new ImapCommand.Invalid(Optional.of(tag), problem);
  }

  /** A NUL or line break where none may be. */
  private static final class ForbiddenOctet extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ForbiddenOctet() {
      super(null, null, false, false);
    }
  }

  /** Reads the ABNF elements from left to right. */
  private static final class Cursor {
    private final String s;
    private int i;

    Cursor(String s) {
      this.s = s;
    }

    boolean end() {
      return i == s.length();
    }

    boolean sp() {
      return take(' ');
    }

    boolean take(char ch) {
      if (i < s.length() && s.charAt(i) == ch) {
        i++;
        return true;
      }
      return false;
    }

    String rest() {
      String r = s.substring(i);
      i = s.length();
      return r;
    }

    boolean nil() {
      if (s.regionMatches(true, i, "NIL", 0, 3)
          && (i + 3 == s.length() || !isAtomChar(s.charAt(i + 3)))) {
        i += 3;
        return true;
      }
      return false;
    }

    /** tag = 1*{@literal <any ASTRING-CHAR except "+">}. */
    String tag() {
      int start = i;
      while (i < s.length() && isAstringChar(s.charAt(i)) && s.charAt(i) != '+') {
        i++;
      }
      return i > start ? s.substring(start, i) : null;
    }

    /** atom = 1*ATOM-CHAR. */
    String atom() {
      int start = i;
      while (i < s.length() && isAtomChar(s.charAt(i))) {
        i++;
      }
      return i > start ? s.substring(start, i) : null;
    }

    /** astring = 1*ASTRING-CHAR / string. */
    String astring() {
      if (i < s.length() && (s.charAt(i) == '"' || s.charAt(i) == '{')) {
        return string();
      }
      int start = i;
      while (i < s.length() && isAstringChar(s.charAt(i))) {
        i++;
      }
      return i > start ? s.substring(start, i) : null;
    }

    /** string = quoted / literal. */
    String string() {
      if (take('"')) {
        return quotedRest();
      }
      if (i < s.length() && s.charAt(i) == '{') {
        return literal();
      }
      return null;
    }

    private String quotedRest() {
      StringBuilder b = new StringBuilder();
      while (i < s.length()) {
        char ch = s.charAt(i++);
        if (ch == '"') {
          return b.toString();
        }
        if (ch == 0 || ch == '\r' || ch == '\n') {
          throw new ForbiddenOctet();
        }
        if (ch == '\\') {
          if (i == s.length()) {
            return null;
          }
          char escaped = s.charAt(i++);
          if (escaped != '"' && escaped != '\\') {
            return null;
          }
          b.append(escaped);
        } else {
          b.append(ch);
        }
      }
      return null;
    }

    private String literal() {
      int close = s.indexOf('}', i);
      if (close < 0) {
        return null;
      }
      String spec = s.substring(i + 1, close);
      if (spec.endsWith("+")) {
        spec = spec.substring(0, spec.length() - 1);
      }
      if (spec.isEmpty()
          || spec.length() > 10
          || !spec.chars().allMatch(d -> d >= '0' && d <= '9')) {
        return null;
      }
      long size = Long.parseLong(spec);
      int data = close + 3;
      if (!s.startsWith("\r\n", close + 1) || data + size > s.length()) {
        return null;
      }
      String value = s.substring(data, data + (int) size);
      if (value.indexOf(0) >= 0) {
        throw new ForbiddenOctet();
      }
      i = data + (int) size;
      return value;
    }

    /** ATOM-CHAR: any CHAR except atom-specials (RFC 9051 §9). */
    static boolean isAtomChar(char ch) {
      return ch > 0x20
          && ch < 0x7f
          && ch != '('
          && ch != ')'
          && ch != '{'
          && ch != '%'
          && ch != '*'
          && ch != '"'
          && ch != '\\'
          && ch != ']';
    }

    /** ASTRING-CHAR = ATOM-CHAR / resp-specials. */
    static boolean isAstringChar(char ch) {
      return isAtomChar(ch) || ch == ']';
    }
  }
}
