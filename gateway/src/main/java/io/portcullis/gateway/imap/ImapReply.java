package io.portcullis.gateway.imap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Every fixed line the gateway itself says to an IMAP client. Client input (other than the
 * validated tag), upstream text from the login phase and exception messages never reach a client
 * (STYLE 5, THREATS C5). Response codes per RFC 9051 §7.1 and RFC 5530; no {@code [ALERT]}.
 */
enum ImapReply {
  OK_CAPABILITY(true, "OK CAPABILITY completed"),
  OK_NOOP(true, "OK NOOP completed"),
  OK_ID(true, "OK ID completed"),
  OK_LOGOUT(true, "OK LOGOUT completed"),
  BEGIN_TLS(true, "OK Begin TLS negotiation now"),
  AUTH_FAILED(true, "NO [AUTHENTICATIONFAILED] Authentication failed"),
  UNAVAILABLE(true, "NO [UNAVAILABLE] Service temporarily unavailable, try again later"),
  PRIVACY_REQUIRED(true, "NO [PRIVACYREQUIRED] TLS is required to log in"),
  MECHANISM_UNSUPPORTED(true, "NO Unsupported authentication mechanism"),
  AUTH_CANCELLED(true, "BAD Authentication cancelled"),
  UNKNOWN_COMMAND(true, "BAD Unknown command or not valid in this state"),
  SYNTAX_ERROR(true, "BAD Syntax error"),
  LITERAL_TOO_BIG(true, "BAD [TOOBIG] Literal too large"),
  LITERAL_TOO_BIG_NO(true, "NO [TOOBIG] Literal too large"),
  TLS_ACTIVE(true, "BAD TLS already active"),
  STARTTLS_UNAVAILABLE(true, "BAD STARTTLS not available"),
  WRONG_STATE(true, "BAD Command not valid in this state"),
  COMPRESS_UNAVAILABLE(true, "NO Compression is not available"),
  NONEXISTENT(true, "NO [NONEXISTENT] Mailbox does not exist"),
  MAILBOX_LITERAL(true, "NO [CANNOT] Give mailbox names as quoted strings"),
  ID_NIL(false, "* ID NIL"),
  BYE_LOGOUT(false, "* BYE Logging out"),
  CONTINUE_LITERAL(false, "+ Ready for literal data"),
  UNTAGGED_SYNTAX_ERROR(false, "* BAD Syntax error"),
  LINE_TOO_LONG(false, "* BAD Line too long"),
  BYE_TOO_MANY_ERRORS(false, "* BYE Too many errors, closing"),
  BYE_TOO_MANY_FAILURES(false, "* BYE Too many authentication failures, closing"),
  BYE_LOGIN_TIMEOUT(false, "* BYE Login time exceeded, closing"),
  BYE_IDLE_TIMEOUT(false, "* BYE Autologout, idle for too long"),
  BYE_STARTTLS_PIPELINED(false, "* BYE Commands after STARTTLS are not allowed, closing"),
  BYE_LITERAL(false, "* BYE [TOOBIG] Literal too large, closing"),
  BYE_UPSTREAM_LOST(false, "* BYE [UNAVAILABLE] Connection to the mail server lost"),
  BYE_SCAN_FAILED(false, "* BYE [UNAVAILABLE] New mail could not be checked, try again later");

  private final boolean tagged;
  private final String text;

  ImapReply(boolean tagged, String text) {
    this.tagged = tagged;
    this.text = text;
  }

  /** The untagged reply with its CRLF. */
  ByteBuf toBuf(ByteBufAllocator alloc) {
    if (tagged) {
      throw new IllegalStateException(name() + " needs a tag");
    }
    return line(alloc, text);
  }

  /** The tagged reply with its CRLF; {@code tag} must be a tag the parser accepted. */
  ByteBuf toBuf(ByteBufAllocator alloc, String tag) {
    if (!tagged) {
      return toBuf(alloc);
    }
    return line(alloc, tag + " " + text);
  }

  /** The reply text without tag or CRLF, for tests. */
  String text() {
    return text;
  }

  static ByteBuf line(ByteBufAllocator alloc, String text) {
    byte[] bytes = (text + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
    return alloc.buffer(bytes.length).writeBytes(bytes);
  }
}
