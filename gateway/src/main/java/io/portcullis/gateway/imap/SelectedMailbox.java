package io.portcullis.gateway.imap;

import java.util.ArrayList;
import java.util.List;

/**
 * Which mailbox the upstream session has selected (RFC 9051 §3.3), as far as the relay can tell
 * from the commands it sent and their tagged answers: a SELECT or EXAMINE takes effect when its OK
 * comes back (and a failed one leaves none selected, §6.3.2), a CLOSE or UNSELECT when its OK does.
 * Until then a response may be about the old mailbox or the new one. Not thread-safe: the relay's
 * event loop owns it.
 */
final class SelectedMailbox {
  private String selected;
  private String pendingTag;
  private String pendingBox;
  private String previous;
  private String closeTag;

  /** A SELECT or EXAMINE of {@code mailbox} went upstream with {@code tag}. */
  void selecting(String tag, String mailbox) {
    previous = selected;
    selected = null;
    pendingTag = tag;
    pendingBox = mailbox;
  }

  /**
   * The mailbox a SELECT on its way is about, when no other mailbox is in play (nothing was
   * selected before, or the same one); else null.
   */
  String selectingOnly() {
    return pendingTag != null && (previous == null || previous.equals(pendingBox))
        ? pendingBox
        : null;
  }

  /**
   * Whether no response can be about another mailbox than {@code mailbox}: none is selected or it
   * is, and no SELECT, EXAMINE, CLOSE or UNSELECT is on its way.
   */
  boolean quietOrOn(String mailbox) {
    return pendingTag == null && closeTag == null && (selected == null || selected.equals(mailbox));
  }

  /** A CLOSE or UNSELECT went upstream with {@code tag}. */
  void closing(String tag) {
    closeTag = tag;
  }

  /** A tagged answer came back. */
  void answered(String tag, boolean ok) {
    if (tag.equals(closeTag)) {
      closeTag = null;
      if (ok) {
        selected = null;
      }
    }
    if (tag.equals(pendingTag)) {
      selected = ok ? pendingBox : null;
      pendingTag = null;
      pendingBox = null;
      previous = null;
    }
  }

  /**
   * The mailboxes a response may be about: the selected one, or while a SELECT is on its way both
   * the one before and the one it selects (scanning one too many costs a round trip, one too few
   * would show an unscanned message).
   */
  List<String> inPlay() {
    List<String> boxes = new ArrayList<>(3);
    for (String m : new String[] {previous, pendingBox, selected}) {
      if (m != null && !boxes.contains(m)) {
        boxes.add(m);
      }
    }
    return boxes;
  }
}
