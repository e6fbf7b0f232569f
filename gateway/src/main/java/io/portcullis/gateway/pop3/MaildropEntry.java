package io.portcullis.gateway.pop3;

import java.util.Objects;
import java.util.Optional;

/**
 * One message the client sees in the virtual maildrop. Immutable.
 *
 * @param upstreamNumber its number in the upstream maildrop (RFC 1939 §5 message-number)
 * @param uidl its upstream unique id, shown unchanged (RFC 1939 §7)
 * @param size the exact octets RETR delivers (after un-stuffing): the rendition's or the original's
 * @param renditionId the rendition served instead of the original, if any
 * @param deletable whether DELE may reach the upstream: always for a delivered original, for a
 *     rendition only once the original is in the quarantine store (DESIGN: POP3)
 */
record MaildropEntry(
    int upstreamNumber, String uidl, long size, Optional<String> renditionId, boolean deletable) {

  MaildropEntry {
    Objects.requireNonNull(uidl, "uidl");
    Objects.requireNonNull(renditionId, "renditionId");
    if (upstreamNumber < 1 || size < 0) {
      throw new IllegalArgumentException("bad number or size");
    }
  }

  /** An original delivered as the upstream has it. */
  static MaildropEntry original(int upstreamNumber, String uidl, long size) {
    return new MaildropEntry(upstreamNumber, uidl, size, Optional.empty(), true);
  }
}
