package io.portcullis.gateway.pop3;

import java.util.Locale;
import java.util.Optional;

/**
 * A client command, RFC 1939 §§4–7, RFC 2449 (CAPA), RFC 2595 (STLS), RFC 5034 (AUTH). Arity and
 * ranges are checked when a command is built; a command that carries a secret never prints it.
 */
public sealed interface Pop3Command {

  /** The command as sent to an upstream: canonical keyword, single spaces, CRLF. */
  default String wireForm() {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " is never relayed");
  }

  /** Whether a successful answer from the upstream is multi-line (RFC 1939 §3). */
  default boolean multiLineAnswer() {
    return false;
  }

  /** CAPA, RFC 2449 §5. */
  record Capa() implements Pop3Command {}

  /** STLS, RFC 2595 §4. */
  record Stls() implements Pop3Command {}

  /** USER name, RFC 1939 §7. */
  record User(String name) implements Pop3Command {}

  /** PASS secret, RFC 1939 §7; the secret is the rest of the line, spaces included. */
  record Pass(String secret) implements Pop3Command {
    @Override
    public String toString() {
      return "Pass[secret=<redacted>]";
    }
  }

  /** AUTH mechanism [initial-response], RFC 5034 §4. */
  record Auth(String mechanism, Optional<String> initialResponse) implements Pop3Command {
    public Auth {
      mechanism = mechanism.toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
      return "Auth[mechanism=" + mechanism + ", initialResponse=<redacted>]";
    }
  }

  /** QUIT, RFC 1939 §§4, 6. */
  record Quit() implements Pop3Command {
    @Override
    public String wireForm() {
      return "QUIT\r\n";
    }
  }

  /** NOOP, RFC 1939 §5. */
  record Noop() implements Pop3Command {
    @Override
    public String wireForm() {
      return "NOOP\r\n";
    }
  }

  /** STAT, RFC 1939 §5. */
  record Stat() implements Pop3Command {
    @Override
    public String wireForm() {
      return "STAT\r\n";
    }
  }

  /** RSET, RFC 1939 §5. */
  record Rset() implements Pop3Command {
    @Override
    public String wireForm() {
      return "RSET\r\n";
    }
  }

  /** LIST [msg], RFC 1939 §5: multi-line without an argument. */
  record List(Optional<Integer> message) implements Pop3Command {
    @Override
    public String wireForm() {
      return message.map(n -> "LIST " + n + "\r\n").orElse("LIST\r\n");
    }

    @Override
    public boolean multiLineAnswer() {
      return message.isEmpty();
    }
  }

  /** UIDL [msg], RFC 1939 §7: multi-line without an argument. */
  record Uidl(Optional<Integer> message) implements Pop3Command {
    @Override
    public String wireForm() {
      return message.map(n -> "UIDL " + n + "\r\n").orElse("UIDL\r\n");
    }

    @Override
    public boolean multiLineAnswer() {
      return message.isEmpty();
    }
  }

  /** RETR msg, RFC 1939 §5. */
  record Retr(int message) implements Pop3Command {
    @Override
    public String wireForm() {
      return "RETR " + message + "\r\n";
    }

    @Override
    public boolean multiLineAnswer() {
      return true;
    }
  }

  /** DELE msg, RFC 1939 §5. */
  record Dele(int message) implements Pop3Command {
    @Override
    public String wireForm() {
      return "DELE " + message + "\r\n";
    }
  }

  /** TOP msg n, RFC 1939 §7. */
  record Top(int message, int lines) implements Pop3Command {
    @Override
    public String wireForm() {
      return "TOP " + message + " " + lines + "\r\n";
    }

    @Override
    public boolean multiLineAnswer() {
      return true;
    }
  }

  /** A line that is not a command we accept; {@code reason} is for logs, never for the client. */
  record Invalid(Problem problem, String keyword) implements Pop3Command {}

  /** Why a line was not accepted. */
  enum Problem {
    /** Not a POP3 keyword we implement. */
    UNKNOWN_COMMAND,
    /** A known keyword with missing, extra or malformed arguments. */
    SYNTAX,
    /** Longer than the limit for the session's state. */
    TOO_LONG
  }
}
