package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MailboxArgsTest {
  private static List<String> names(String line) {
    return ((MailboxArgs.Known) MailboxArgs.of(line, false)).mailboxes();
  }

  @Test
  void selectNamesItsMailboxAsAtomOrQuotedString() {
    assertThat(names("a SELECT INBOX")).containsExactly("INBOX");
    assertThat(names("a select \"Quar\\\"antine\"")).containsExactly("Quar\"antine");
  }

  @Test
  void copyMoveAndRenameNameTheirTargets() {
    assertThat(names("a UID MOVE 1:3 \"Quarantine\"")).containsExactly("Quarantine");
    assertThat(names("a COPY 1 Junk")).containsExactly("Junk");
    assertThat(names("a RENAME Old New")).containsExactly("Old", "New");
    assertThat(names("a STATUS Quarantine (MESSAGES)")).containsExactly("Quarantine");
  }

  @Test
  void commandsWithoutMailboxesNameNone() {
    assertThat(names("a FETCH 1:* (FLAGS)")).isEmpty();
    assertThat(names("a LIST \"\" *")).isEmpty();
  }

  @Test
  void aMailboxGivenAsLiteralIsReadFirst() {
    assertThat(MailboxArgs.of("a SELECT {10}", true)).isInstanceOf(MailboxArgs.LiteralName.class);
    assertThat(MailboxArgs.of("a RENAME INBOX/x {10+}", true))
        .isInstanceOf(MailboxArgs.LiteralName.class);
    assertThat(MailboxArgs.of("a RENAME \"Quarantine\" {3}", true))
        .isInstanceOf(MailboxArgs.LiteralName.class);
  }

  @Test
  void appendMessageLiteralDoesNotHideTheMailbox() {
    assertThat(MailboxArgs.of("a APPEND Quarantine (\\Seen) {120}", true))
        .isEqualTo(new MailboxArgs.Known(List.of("Quarantine")));
  }

  @Test
  void hiddenMatchesCaseModifiedUtf7AndChildren() {
    assertThat(MailboxArgs.hidden("quarantine", "Quarantine")).isTrue();
    assertThat(MailboxArgs.hidden("&AFE-uarantine", "Quarantine")).isTrue();
    assertThat(MailboxArgs.hidden("Quarantine/sub", "Quarantine")).isTrue();
    assertThat(MailboxArgs.hidden("inbox.quarantine", "INBOX.Quarantine")).isTrue();
    assertThat(MailboxArgs.hidden("Quarantined", "Quarantine")).isFalse();
    assertThat(MailboxArgs.hidden("INBOX", "Quarantine")).isFalse();
  }

  @Test
  void responseMailboxReadsListAndStatus() {
    assertThat(MailboxArgs.responseMailbox("LIST (\\HasNoChildren) \"/\" \"Quarantine\""))
        .contains("Quarantine");
    assertThat(MailboxArgs.responseMailbox("LSUB () NIL Quarantine")).contains("Quarantine");
    assertThat(MailboxArgs.responseMailbox("STATUS \"Quarantine\" (MESSAGES 2)"))
        .contains("Quarantine");
  }
}
