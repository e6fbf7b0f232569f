package io.portcullis.gateway.imap.codec;

import java.util.Optional;

/**
 * The commands the gateway itself answers before login (RFC 9051 §6.1, §6.2; RFC 2971 ID), as
 * parsed by {@link ImapCommandParser}. Strings are ISO-8859-1, one char per received octet; records
 * that carry a secret redact it in {@code toString()}.
 */
public sealed interface ImapCommand {

  /** The command's tag, valid per RFC 9051 §9 {@code tag}; echoed in the tagged answer. */
  String tag();

  /** RFC 9051 §6.1.1. */
  record Capability(String tag) implements ImapCommand {}

  /** RFC 9051 §6.1.2. */
  record Noop(String tag) implements ImapCommand {}

  /** RFC 9051 §6.1.3. */
  record Logout(String tag) implements ImapCommand {}

  /** RFC 9051 §6.2.1, RFC 2595. */
  record StartTls(String tag) implements ImapCommand {}

  /**
   * RFC 9051 §6.2.2, with SASL-IR (RFC 4959).
   *
   * @param initialResponse base64 or {@code =}, as sent
   */
  record Authenticate(String tag, String mechanism, Optional<String> initialResponse)
      implements ImapCommand {
    @Override
    public String toString() {
      return "Authenticate[tag="
          + tag
          + ", mechanism="
          + mechanism
          + ", initialResponse="
          + (initialResponse.isPresent() ? "<redacted>" : "none")
          + "]";
    }
  }

  /** RFC 9051 §6.2.3. */
  record Login(String tag, String user, String password) implements ImapCommand {
    @Override
    public String toString() {
      return "Login[tag=" + tag + ", user=<" + user.length() + " chars>, password=<redacted>]";
    }
  }

  /**
   * RFC 2971. The gateway reads and discards what the client says about itself.
   *
   * @param fields number of field/value pairs
   */
  record Id(String tag, int fields) implements ImapCommand {}

  /** A syntactically valid command the gateway does not accept in this state. */
  record Other(String tag, String name) implements ImapCommand {}

  /**
   * Not a valid command.
   *
   * @param knownTag the tag when one could be read, or empty (answer untagged)
   */
  record Invalid(Optional<String> knownTag, Problem problem) implements ImapCommand {
    @Override
    public String tag() {
      return knownTag.orElse("*");
    }
  }

  /** Why a command line was invalid; audit codes, never echoed input. */
  enum Problem {
    /** No valid tag. */
    BAD_TAG,
    /** Arguments do not follow the ABNF. */
    SYNTAX,
    /** A NUL or line break where the ABNF forbids it (THREATS P3). */
    FORBIDDEN_OCTET
  }
}
