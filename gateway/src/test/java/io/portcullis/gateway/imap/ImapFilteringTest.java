package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.SampleMessages;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.filtering.FilterStores;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scan on arrival end to end: Jakarta Mail and raw sockets through the gateway to GreenMail, with a
 * policy that strips executables, tags macro documents, quarantines bombs and junks spam.
 */
class ImapFilteringTest {
  static final String POLICY =
      """
      version: 1
      attachment-classes:
        executables: { categories: [executable, script] }
        macro-documents: { categories: [macro-document] }
      defaults:
        scanning: { scan: full, max-size: 64KiB, over-limit: tag, on-scan-error: quarantine }
      filtering:
        - id: bombs
          match: { labels: [decompression-bomb, phishing] }
          action: quarantine
        - id: strip-executables
          match: { attachment-class: executables }
          action: strip
        - id: tag-macros
          match: { attachment-class: macro-documents }
          action: tag
          tag: { keyword: $Macro, subject-prefix: "[MACRO] " }
        - id: spam
          match: { labels: spam }
          action: junk
      """;

  /** A line of the executable's zip as base64: the dangerous payload's marker. */
  static final String EXE_MARKER =
      Base64.getMimeEncoder()
          .encodeToString(SampleMessages.zip(Map.of("invoice.pdf.exe", SampleMessages.peStub())))
          .substring(0, 60);

  @TempDir Path dir;
  private GatewayFixture gateway;

  @BeforeEach
  void start() throws Exception {
    Path policy = dir.resolve("policy.yml");
    Files.writeString(policy, POLICY);
    gateway =
        GatewayFixture.withGreenMail(
            dir.resolve("data"),
            GatewayFixture.limits(5, Duration.ofSeconds(30), false),
            "127.0.0.1",
            policy);
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private void deliver(byte[] raw) throws Exception {
    gateway.user.deliver(
        new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
  }

  static byte[] overLimit() {
    String line = "This line makes the message longer than the scan limit of the policy.\r\n";
    String body = line.repeat(100 * 1024 / line.length());
    return ("From: big@example.net\r\nTo: demo@localhost\r\nSubject: Big report\r\n"
            + "Message-ID: <big@example.net>\r\n\r\n"
            + body)
        .getBytes(StandardCharsets.US_ASCII);
  }

  private Store client() throws Exception {
    Properties p = new Properties();
    p.put("mail.imaps.ssl.trust", "*");
    p.put("mail.imaps.ssl.checkserveridentity", "false");
    p.put("mail.imaps.timeout", "20000");
    Store store = Session.getInstance(p).getStore("imaps");
    store.connect(
        "127.0.0.1",
        gateway.address(gateway.imaps).getPort(),
        GatewayFixture.USER,
        GatewayFixture.PASSWORD);
    return store;
  }

  /** The raw messages of an upstream mailbox, read directly from GreenMail, never setting \Seen. */
  private List<byte[]> upstream(String mailbox) throws Exception {
    Store store = direct();
    try {
      Folder f = store.getFolder(mailbox);
      if (!f.exists()) {
        return List.of();
      }
      f.open(Folder.READ_ONLY);
      List<byte[]> out = new ArrayList<>();
      for (Message m : f.getMessages()) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.writeTo(b);
        out.add(b.toByteArray());
      }
      f.close(false);
      return out;
    } finally {
      store.close();
    }
  }

  /** A session directly on GreenMail, past the gateway. */
  private Store direct() throws Exception {
    Properties p = new Properties();
    p.put("mail.imap.peek", "true");
    Store store = Session.getInstance(p).getStore("imap");
    store.connect("127.0.0.1", gateway.greenMail.getImap().getPort(), GatewayFixture.USER, "demo");
    return store;
  }

  /** Deletes {@code mailbox} upstream if it exists and creates it anew with {@code messages}. */
  private void recreateUpstream(String mailbox, byte[]... messages) throws Exception {
    Store store = direct();
    try {
      Folder f = store.getFolder(mailbox);
      if (f.exists()) {
        f.delete(true);
      }
      f.create(Folder.HOLDS_MESSAGES);
      Session session = Session.getInstance(new Properties());
      Message[] m = new Message[messages.length];
      for (int i = 0; i < messages.length; i++) {
        m[i] = new MimeMessage(session, new ByteArrayInputStream(messages[i]));
      }
      f.appendMessages(m);
    } finally {
      store.close();
    }
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  @Test
  void clientShouldSeeOnlyScannedMailWithEveryActionCarriedOutUpstream() throws Exception {
    deliver(SampleMessages.all().get("plain.eml"));
    deliver(SampleMessages.all().get("spam.eml"));
    deliver(SampleMessages.executableInZip());
    deliver(SampleMessages.macroDocument());
    deliver(overLimit());

    Store store = client();
    Folder inbox = store.getFolder("INBOX");
    inbox.open(Folder.READ_ONLY);
    List<String> subjects = new ArrayList<>();
    StringBuilder everything = new StringBuilder();
    for (Message m : inbox.getMessages()) {
      subjects.add(m.getSubject());
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      m.writeTo(b);
      everything.append(b.toString(StandardCharsets.ISO_8859_1));
      if (m.getSubject().startsWith("[MACRO]")) {
        assertThat(m.getFlags().contains("$Macro")).isTrue();
      }
    }
    inbox.close(false);

    assertThat(subjects)
        .hasSize(4)
        .contains("Lunch on Thursday?", "Invoice 2026-1187")
        .anyMatch(s -> s.startsWith("[MACRO]"))
        .anyMatch(s -> s.startsWith("[UNSCANNED]"));
    assertThat(everything.toString()).doesNotContain(EXE_MARKER).contains("removed the attachment");
    Folder junk = store.getFolder("Junk");
    junk.open(Folder.READ_ONLY);
    assertThat(junk.getMessageCount()).isEqualTo(1);
    assertThat(junk.getMessage(1).getFlags().contains("$Junk")).isTrue();
    junk.close(false);
    List<String> folders =
        Arrays.stream(store.getDefaultFolder().list("*")).map(Folder::getFullName).toList();
    assertThat(folders).contains("INBOX", "Junk").doesNotContain("Quarantine");
    store.close();

    // The originals: in the hidden mailbox upstream, and in the quarantine store, same SHA-256.
    List<byte[]> originals = upstream("Quarantine");
    assertThat(originals).hasSize(3); // executable, macro document, over-limit
    assertThat(originals).anyMatch(o -> text(o).contains(EXE_MARKER));
    GatewayConfig config =
        new GatewayConfig(dir.resolve("data"), List.of(), List.of(), null, null, null, null, null);
    QuarantineStore store2 =
        FilterStores.quarantine(config, FilterStores.masterKey(config), Clock.systemUTC());
    List<String> ids =
        store2.list(Optional.empty()).stream().map(QuarantineStore.Entry::id).toList();
    for (byte[] original : originals) {
      assertThat(ids).contains(sha256(original));
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  @Test
  void quarantineMailboxShouldBeInvisibleToEveryCommandThatNamesIt() throws Exception {
    deliver(SampleMessages.executableInZip());
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      c.send("b SELECT INBOX\r\n");
      assertThat(c.readUntil("b ")).startsWith("b OK");
      for (String command :
          List.of(
              "SELECT Quarantine",
              "EXAMINE quarantine",
              "STATUS \"QUARANTINE\" (MESSAGES)",
              "SELECT &AFE-uarantine",
              "UID COPY 1:* Quarantine",
              "MOVE 1 Quarantine/sub",
              "RENAME Quarantine Visible",
              "RENAME INBOX Quarantine",
              "DELETE Quarantine",
              "SUBSCRIBE Quarantine",
              "CREATE Quarantine")) {
        c.send("c " + command + "\r\n");
        assertThat(c.readUntil("c "))
            .as(command)
            .isEqualTo("c NO [NONEXISTENT] Mailbox does not exist");
      }
      c.send("d SELECT {10}\r\n");
      assertThat(c.readLine()).startsWith("+");
      c.send("Quarantine\r\n");
      assertThat(c.readUntil("d ")).isEqualTo("d NO [NONEXISTENT] Mailbox does not exist");
      c.send("e APPEND Quarantine {5}\r\n");
      assertThat(c.readUntil("e ")).isEqualTo("e NO [NONEXISTENT] Mailbox does not exist");
      c.send("f LIST \"\" *\r\n");
      List<String> lines = new ArrayList<>();
      String line;
      while (!(line = c.readLine()).startsWith("f ")) {
        lines.add(line);
      }
      assertThat(lines).isNotEmpty().noneMatch(l -> l.toLowerCase().contains("quarantine"));
      c.send("g LIST \"\" Quarantine\r\n");
      assertThat(c.readLine()).startsWith("g OK");
    }
    assertThat(upstream("Quarantine")).hasSize(1);
  }

  @Test
  void messageDeliveredDuringIdleShouldBeScannedBeforeTheClientSeesExists() throws Exception {
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      c.send("b SELECT INBOX\r\n");
      c.readUntil("b OK");
      c.send("c IDLE\r\n");
      assertThat(c.readLine()).startsWith("+");

      deliver(SampleMessages.executableInZip());
      String exists = c.readUntil("* ");
      while (!exists.endsWith("EXISTS")) {
        exists = c.readUntil("* ");
      }
      // At the instant the client learns of the message, the action is already done upstream.
      assertThat(upstream("Quarantine")).hasSize(1);
      assertThat(upstream("INBOX")).hasSize(1).noneMatch(m -> text(m).contains(EXE_MARKER));

      c.send("DONE\r\n");
      c.readUntil("c OK");
      c.send("d UID FETCH 1:* BODY.PEEK[]\r\n");
      StringBuilder transcript = new StringBuilder();
      String line;
      while (!(line = c.readLine()).startsWith("d ")) {
        transcript.append(line).append('\n');
      }
      assertThat(line).startsWith("d OK");
      assertThat(transcript.toString())
          .doesNotContain(EXE_MARKER)
          .contains("removed the attachment");
    }
  }

  @Test
  void fetchRacingAScanShouldNeverReturnTheUnscannedMessage() throws Exception {
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      c.send("b SELECT INBOX\r\n");
      c.readUntil("b OK");
      deliver(SampleMessages.executableInZip());
      // Pipelined: the FETCH reaches the upstream before the NOOP's EXISTS comes back.
      c.send(
          "c NOOP\r\nd FETCH 1:* (UID BODY.PEEK[])\r\ne NOOP\r\nf FETCH 1:* (UID BODY.PEEK[])\r\n");
      StringBuilder transcript = new StringBuilder();
      String line;
      while (!(line = c.readLine()).startsWith("f ")) {
        transcript.append(line).append('\n');
      }
      assertThat(line).startsWith("f OK");
      assertThat(transcript.toString()).doesNotContain(EXE_MARKER);
    }
    assertThat(upstream("Quarantine")).singleElement().matches(m -> text(m).contains(EXE_MARKER));
    // A new session sees the rendition in its place.
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\nb SELECT INBOX\r\nc FETCH 1:* BODY.PEEK[]\r\n");
      StringBuilder transcript = new StringBuilder();
      String line;
      while (!(line = c.readLine()).startsWith("c ")) {
        transcript.append(line).append('\n');
      }
      assertThat(transcript.toString())
          .contains("* 1 EXISTS")
          .doesNotContain(EXE_MARKER)
          .contains("removed the attachment");
    }
  }

  /**
   * The second session's SELECT goes upstream at once on the first session's word that INBOX was
   * scanned up to its UIDNEXT; junk delivered in between shows in the answer's UIDNEXT, so that
   * answer is discarded, the junk moved and the SELECT asked again: the client sees one answer,
   * without the junk, and no EXPUNGE.
   */
  @Test
  void mailArrivingBetweenSessionsShouldBeScannedBeforeTheSelectAnswerTheClientSees()
      throws Exception {
    deliver(SampleMessages.all().get("plain.eml"));
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      // LOGOUT pipelined: the SELECT's answer, held for its scan, still comes before the end.
      c.send("a LOGIN demo demo\r\nb SELECT INBOX\r\nc LOGOUT\r\n");
      assertThat(c.readUntil("b ")).startsWith("b OK");
      assertThat(c.readUntil("c ")).startsWith("c OK");
    }
    deliver(SampleMessages.all().get("spam.eml"));

    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      // Pipelined: the FETCH must wait for the answer the client is given.
      c.send("b SELECT INBOX\r\nc FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n");
      StringBuilder transcript = new StringBuilder();
      String line;
      while (!(line = c.readLine()).startsWith("c ")) {
        transcript.append(line).append('\n');
      }
      assertThat(line).startsWith("c OK");
      assertThat(transcript.toString())
          .contains("* 1 EXISTS", "Lunch on Thursday?", "b OK")
          .doesNotContain("* 2 EXISTS")
          .doesNotContain("EXPUNGE")
          .doesNotContain("CHEAP MEDS");
      assertThat(transcript.toString().split("\n"))
          .filteredOn(l -> l.endsWith(" EXISTS"))
          .hasSize(1);
    }
    assertThat(upstream("Junk")).singleElement().matches(m -> text(m).contains("CHEAP MEDS"));
    assertThat(upstream("INBOX")).hasSize(1);
  }

  /**
   * A mailbox deleted and created again upstream has another UIDVALIDITY (RFC 9051 §2.3.1.1): what
   * a scan settled for the old one says nothing of the new one's UIDs, even where its UIDNEXT is
   * lower. The SELECT sent on the old state gets an answer that must not pass.
   */
  @Test
  void settledStateOfAMailboxRecreatedUpstreamShouldNotLetItsUnscannedMailThrough()
      throws Exception {
    byte[] plain = SampleMessages.all().get("plain.eml");
    recreateUpstream("Work", plain, plain, plain);
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\nb SELECT Work\r\n");
      assertThat(c.readUntil("b ")).startsWith("b OK"); // scanned: UIDs 1-3 settled, UIDNEXT 4
      c.send("c LOGOUT\r\n");
      c.readUntil("c ");
    }
    recreateUpstream("Work", SampleMessages.executableInZip()); // UID 1, UIDNEXT 2, unscanned

    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      c.send("b SELECT Work\r\nc FETCH 1:* (UID BODY.PEEK[])\r\n");
      StringBuilder transcript = new StringBuilder();
      String line;
      while (!(line = c.readLine()).startsWith("c ")) {
        transcript.append(line).append('\n');
      }
      assertThat(line).startsWith("c OK");
      assertThat(transcript.toString())
          .contains("b OK", "removed the attachment")
          .doesNotContain(EXE_MARKER)
          .doesNotContain("EXPUNGE");
    }
    assertThat(upstream("Quarantine")).singleElement().matches(m -> text(m).contains(EXE_MARKER));
  }

  @Test
  void flagsSeenOnTheOriginalStayUntouchedByTheScan() throws Exception {
    deliver(SampleMessages.all().get("plain.eml"));
    Store store = client();
    Folder inbox = store.getFolder("INBOX");
    inbox.open(Folder.READ_ONLY);
    assertThat(inbox.getMessage(1).getFlags().contains(Flags.Flag.SEEN)).isFalse();
    inbox.close(false);
    store.close();
  }

  @Test
  void selectOfAMailboxThatDoesNotExistShouldGetTheUpstreamsNoAndKeepTheSession() throws Exception {
    try (ImapTestClient c = ImapTestClient.tls(gateway.address(gateway.imaps))) {
      c.readLine();
      c.send("a LOGIN demo demo\r\n");
      c.readUntil("a ");
      c.send("b SELECT NoSuchMailbox\r\n");
      assertThat(c.readUntil("b ")).startsWith("b NO");
      c.send("c SELECT INBOX\r\n");
      assertThat(c.readUntil("c ")).startsWith("c OK");
    }
  }
}
