package io.portcullis.gateway.filtering;

import java.util.Objects;

/**
 * Where a message lives upstream: the account and a location that stays the same for the same
 * message (a POP3 UIDL, or an IMAP mailbox, UIDVALIDITY and UID). Immutable.
 */
public record MessageRef(String account, String location) {

  public MessageRef {
    Objects.requireNonNull(account, "account");
    Objects.requireNonNull(location, "location");
  }

  /** A POP3 message by its unique id (RFC 1939 UIDL, stable across sessions). */
  public static MessageRef pop3(String account, String uidl) {
    return new MessageRef(account, "pop3:" + uidl);
  }

  /** An IMAP message by mailbox, UIDVALIDITY and UID (RFC 9051 section 2.3.1.1). */
  public static MessageRef imap(String account, String mailbox, long uidValidity, long uid) {
    return new MessageRef(
        account, "imap:" + mailbox + ";UIDVALIDITY=" + uidValidity + ";UID=" + uid);
  }
}
