package io.portcullis.gateway.pop3;

import io.portcullis.gateway.pop3.Pop3Command.Invalid;
import io.portcullis.gateway.pop3.Pop3Command.Problem;
import java.util.Locale;
import java.util.Optional;

/** Parses one command line (terminator removed) into a {@link Pop3Command}. Stateless. */
final class Pop3CommandParser {
  /** RFC 1939 §3: keywords are three or four characters. */
  private static final int MAX_KEYWORD = 4;

  /** RFC 1939 §3 allows 40 characters per argument; user names and SASL data need more. */
  private static final int MAX_USER = 255;

  /** Message numbers are positive and fit comfortably in an int (nine digits). */
  private static final int MAX_NUMBER_DIGITS = 9;

  private Pop3CommandParser() {}

  static Pop3Command parse(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == 0 || c == '\r' || c == '\n') {
        // THREATS P3: NUL and stray CR never travel further.
        return invalid(Problem.SYNTAX, line);
      }
    }
    int space = line.indexOf(' ');
    String keyword = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
    String rest = space < 0 ? "" : line.substring(space + 1);
    if (keyword.isEmpty() || keyword.length() > MAX_KEYWORD) {
      return invalid(Problem.UNKNOWN_COMMAND, keyword);
    }
    String[] args = rest.isEmpty() ? new String[0] : rest.split(" ", -1);
    return switch (keyword) {
      case "CAPA" -> args.length == 0 ? new Pop3Command.Capa() : syntax(keyword);
      case "STLS" -> args.length == 0 ? new Pop3Command.Stls() : syntax(keyword);
      case "QUIT" -> args.length == 0 ? new Pop3Command.Quit() : syntax(keyword);
      case "NOOP" -> args.length == 0 ? new Pop3Command.Noop() : syntax(keyword);
      case "STAT" -> args.length == 0 ? new Pop3Command.Stat() : syntax(keyword);
      case "RSET" -> args.length == 0 ? new Pop3Command.Rset() : syntax(keyword);
      case "USER" -> user(rest);
      case "PASS" -> rest.isEmpty() ? syntax(keyword) : new Pop3Command.Pass(rest);
      case "AUTH" -> auth(args);
      case "LIST" ->
          optionalNumber(args).<Pop3Command>map(Pop3Command.List::new).orElse(syntax(keyword));
      case "UIDL" ->
          optionalNumber(args).<Pop3Command>map(Pop3Command.Uidl::new).orElse(syntax(keyword));
      case "RETR" -> single(args, keyword, Pop3Command.Retr::new);
      case "DELE" -> single(args, keyword, Pop3Command.Dele::new);
      case "TOP" -> top(args);
      default -> invalid(Problem.UNKNOWN_COMMAND, keyword);
    };
  }

  private static Pop3Command user(String rest) {
    if (rest.isEmpty() || rest.length() > MAX_USER || rest.indexOf(' ') >= 0) {
      return syntax("USER");
    }
    return new Pop3Command.User(rest);
  }

  private static Pop3Command auth(String[] args) {
    if (args.length < 1 || args.length > 2 || !isAtom(args[0])) {
      return syntax("AUTH");
    }
    return new Pop3Command.Auth(
        args[0], args.length == 2 ? Optional.of(args[1]) : Optional.empty());
  }

  private static Pop3Command top(String[] args) {
    if (args.length != 2) {
      return syntax("TOP");
    }
    int message = number(args[0]);
    int lines = number(args[1]);
    // TOP n 0 is valid (headers only); message numbers start at 1.
    if (message < 1 || lines < 0) {
      return syntax("TOP");
    }
    return new Pop3Command.Top(message, lines);
  }

  private static Pop3Command single(
      String[] args, String keyword, java.util.function.IntFunction<Pop3Command> make) {
    if (args.length != 1) {
      return syntax(keyword);
    }
    int n = number(args[0]);
    return n < 1 ? syntax(keyword) : make.apply(n);
  }

  /** Empty for a syntax error; a present-but-empty optional for "no argument". */
  private static Optional<Optional<Integer>> optionalNumber(String[] args) {
    if (args.length == 0) {
      return Optional.of(Optional.empty());
    }
    if (args.length != 1) {
      return Optional.empty();
    }
    int n = number(args[0]);
    return n < 1 ? Optional.empty() : Optional.of(Optional.of(n));
  }

  /** A decimal number of at most nine digits, or -1. */
  static int number(String s) {
    if (s.isEmpty() || s.length() > MAX_NUMBER_DIGITS) {
      return -1;
    }
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  private static boolean isAtom(String s) {
    if (s.isEmpty() || s.length() > 20) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
      if (!ok && c != '-' && c != '_') {
        return false;
      }
    }
    return true;
  }

  private static Pop3Command syntax(String keyword) {
    return invalid(Problem.SYNTAX, keyword);
  }

  private static Invalid invalid(Problem problem, String keyword) {
    String printable = keyword.length() > MAX_KEYWORD ? keyword.substring(0, MAX_KEYWORD) : keyword;
    return new Invalid(problem, printable.replaceAll("[^A-Za-z0-9]", "?"));
  }
}
