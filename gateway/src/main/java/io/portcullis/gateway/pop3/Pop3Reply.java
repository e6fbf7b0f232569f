package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * Every line the gateway itself says to a POP3 client. Fixed texts: client input, upstream text
 * from the login phase and exception messages never reach a client (STYLE 5, THREATS C5). Response
 * codes per RFC 2449 §8 and RFC 3206.
 */
enum Pop3Reply {
  /** No product name or version: nothing for a scanner to fingerprint. No APOP timestamp. */
  GREETING("+OK POP3 gateway ready"),
  OK("+OK"),
  USER_ACCEPTED("+OK Send PASS"),
  LOGGED_IN("+OK Logged in"),
  BEGIN_TLS("+OK Begin TLS negotiation"),
  BYE("+OK Bye"),
  SASL_CONTINUE_EMPTY("+ "),
  AUTH_FAILED("-ERR [AUTH] Authentication failed"),
  AUTH_CANCELLED("-ERR Authentication cancelled"),
  TLS_REQUIRED("-ERR [AUTH] TLS required"),
  TEMPORARY_FAILURE("-ERR [SYS/TEMP] Service temporarily unavailable, try again later"),
  UNKNOWN_COMMAND("-ERR Unknown command"),
  SYNTAX_ERROR("-ERR Syntax error"),
  LINE_TOO_LONG("-ERR Line too long"),
  WRONG_STATE("-ERR Command not valid in this state"),
  NO_USER("-ERR Send USER first"),
  MECHANISM_UNSUPPORTED("-ERR Unsupported authentication mechanism"),
  STLS_UNAVAILABLE("-ERR TLS already active"),
  STLS_PIPELINED("-ERR Commands after STLS are not allowed, closing"),
  TOO_MANY_ERRORS("-ERR Too many errors, closing"),
  TOO_MANY_FAILURES("-ERR [AUTH] Too many failures, closing"),
  LOGIN_TIMEOUT("-ERR Login time exceeded, closing"),
  IDLE_TIMEOUT("-ERR Idle for too long, closing"),
  SHUTTING_DOWN("-ERR [SYS/TEMP] Server shutting down"),
  UPSTREAM_LOST("-ERR [SYS/TEMP] Connection to the mail server lost"),
  NO_SUCH_MESSAGE("-ERR No such message"),
  DELE_REFUSED("-ERR [SYS/TEMP] Message cannot be deleted yet"),
  FILTER_UNAVAILABLE("-ERR [SYS/TEMP] Mail filtering unavailable, try again later"),
  MESSAGE_UNAVAILABLE("-ERR [SYS/TEMP] Message unavailable, try again later");

  private final byte[] line;

  Pop3Reply(String text) {
    this.line = (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
  }

  /** The reply with its CRLF, in a new buffer from {@code alloc}. */
  ByteBuf toBuf(ByteBufAllocator alloc) {
    return alloc.buffer(line.length).writeBytes(line);
  }

  /** The reply line without CRLF, for tests and logs. */
  String text() {
    return new String(line, 0, line.length - 2, StandardCharsets.US_ASCII);
  }
}
