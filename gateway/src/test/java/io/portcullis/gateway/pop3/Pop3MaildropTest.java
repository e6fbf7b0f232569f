package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.user.GreenMailUser;
import io.portcullis.auth.secret.MasterKey;
import io.portcullis.filter.SampleMessages;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.StateStore;
import io.portcullis.gateway.filtering.VerdictStore;
import io.portcullis.gateway.testing.CapturedLogs;
import io.portcullis.gateway.testing.GatewayFixture;
import io.portcullis.gateway.testing.LineClient;
import io.portcullis.policy.FilterAction;
import jakarta.mail.BodyPart;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The virtual maildrop (DESIGN: POP3, issue 9) end to end: a GreenMail upstream holding clean mail,
 * spam, an executable in a zip, a macro document, a decompression bomb, a message over the scan
 * limit and phishing; clients over real TLS (raw socket and Jakarta Mail).
 */
class Pop3MaildropTest {
  /** In every dangerous payload, in clear once its transfer encoding is undone. */
  static final String MARKER = "PORTCULLIS-DANGEROUS-PAYLOAD-7f3a";

  static final String POLICY =
      """
      version: 1
      defaults:
        scanning:
          max-size: 256KiB
          over-limit: pass-unscanned
          on-scan-error: quarantine
      attachment-classes:
        macros:
          categories: [macro-document]
      filtering:
        - id: t-strip-macros
          match:
            attachment-class: macros
          action: strip
        - id: t-withhold
          match:
            labels: [dangerous-attachment, decompression-bomb, phishing, malformed]
          action: quarantine
        - id: t-spam
          match:
            labels: [spam]
          action: junk
      """;

  /** Upstream order; the client sees plain, spam, macro and large as 1..4. */
  private static final List<String> UPSTREAM =
      List.of("plain", "spam", "exe", "macro", "bomb", "large", "phishing");

  @TempDir Path dataDir;
  private GatewayFixture fixture;
  private GreenMailUser alice;
  private CapturedLogs logs;

  @BeforeEach
  void start() throws Exception {
    logs = new CapturedLogs();
    fixture =
        GatewayFixture.withGreenMail(
            dataDir,
            GatewayLimits.defaults(),
            null,
            Pop3TestPolicies.write(dataDir, "policy.yml", POLICY));
    alice = fixture.user("alice", "correct-horse");
    Map<String, byte[]> samples = samples();
    for (String name : UPSTREAM) {
      alice.deliver(
          new MimeMessage(
              Session.getInstance(new Properties()), new ByteArrayInputStream(samples.get(name))));
    }
  }

  @AfterEach
  void stop() {
    fixture.close();
    logs.close();
  }

  @Test
  void withheldMessagesShouldBeAbsentAndTheRestNumberedDensely() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View view = View.read(client);
      assertThat(view.count()).isEqualTo(4);
      assertThat(view.subjects())
          .containsExactly(
              "Lunch on Thursday?",
              "CHEAP MEDS AND REPLICA WATCHES - LIMITED OFFER",
              "Q3 report",
              "large report");
      client.send("RETR 5\r\nLIST 5\r\nUIDL 0\r\n");
      assertThat(client.readLine()).isEqualTo("-ERR No such message");
      assertThat(client.readLine()).isEqualTo("-ERR No such message");
      assertThat(client.readLine()).isEqualTo("-ERR Syntax error");
    }
  }

  @Test
  void statAndListSizesShouldEqualTheOctetsRetrDelivers() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View view = View.read(client);
      long total = 0;
      for (int i = 0; i < view.count(); i++) {
        assertThat((long) view.messages().get(i).length)
            .as("message %d", i + 1)
            .isEqualTo(view.sizes().get(i));
        client.send("LIST " + (i + 1) + "\r\n");
        assertThat(client.readLine()).isEqualTo("+OK " + (i + 1) + " " + view.sizes().get(i));
        total += view.sizes().get(i);
      }
      assertThat(view.octets()).isEqualTo(total);
    }
  }

  @Test
  void noDangerousPayloadByteShouldReachTheClientThroughRetrOrTop() throws Exception {
    List<byte[]> received = new ArrayList<>();
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View view = View.read(client);
      received.addAll(view.messages());
      for (int n = 1; n <= view.count(); n++) {
        client.send("TOP " + n + " 100000\r\n");
        assertThat(client.readLine()).startsWith("+OK");
        received.add(unstuff(client.readRawMultiLine()));
      }
    }
    for (byte[] message : received) {
      assertThat(new String(message, StandardCharsets.ISO_8859_1)).doesNotContain(MARKER);
      assertThat(decodedParts(message)).noneMatch(part -> part.contains(MARKER));
    }
    // The check can fail: the upstream itself holds the payloads.
    assertThat(decodedParts(upstreamOriginal(3))).anyMatch(part -> part.contains(MARKER));
  }

  @Test
  void spamShouldArriveTaggedAndTopShouldServeTheRenditionsHeader() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("TOP 2 0\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      String header = new String(unstuff(client.readRawMultiLine()), StandardCharsets.UTF_8);
      assertThat(header).contains("X-Spam-Flag: YES").endsWith("\r\n\r\n");
      client.send("TOP 3 0\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(new String(unstuff(client.readRawMultiLine()), StandardCharsets.UTF_8))
          .contains("X-Portcullis-Stripped");
      client.send("RETR 2\r\n");
      client.readLine();
      String spam = new String(unstuff(client.readRawMultiLine()), StandardCharsets.UTF_8);
      assertThat(spam).startsWith(header.substring(0, header.length() - 2));
    }
  }

  @Test
  void secondSessionShouldShowTheSameMaildropWithoutScanningAgain() throws Exception {
    View first;
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      first = View.read(client);
    }
    long scans = messageEvents();
    assertThat(scans).isEqualTo(UPSTREAM.size());
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View second = View.read(client);
      assertThat(second.uidls()).isEqualTo(first.uidls());
      assertThat(second.sizes()).isEqualTo(first.sizes());
      for (int i = 0; i < first.count(); i++) {
        assertThat(second.messages().get(i)).isEqualTo(first.messages().get(i));
      }
    }
    assertThat(messageEvents()).isEqualTo(scans);
  }

  @Test
  void originalsShouldBeInTheQuarantineStoreWithMatchingSha256() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View.read(client);
    }
    QuarantineStore store = quarantine();
    for (String name : List.of("spam", "exe", "macro", "bomb", "phishing")) {
      byte[] original = upstreamOriginal(UPSTREAM.indexOf(name) + 1);
      String id = sha256(original);
      assertThat(store.show(id)).as(name).isPresent();
      try (InputStream in = store.release(id)) {
        assertThat(in.readAllBytes()).as(name).isEqualTo(original);
      }
    }
  }

  @Test
  void deleOfARenditionShouldDeleteTheUpstreamOriginalWhichIsQuarantined() throws Exception {
    byte[] spamOriginal = upstreamOriginal(2);
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("DELE 2\r\nRETR 2\r\nSTAT\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).isEqualTo("-ERR Message 2 already deleted");
      assertThat(client.readLine()).startsWith("+OK 3 ");
      assertThat(client.readLine()).startsWith("+OK");
    }
    assertThat(upstreamCount()).isEqualTo(UPSTREAM.size() - 1);
    assertThat(quarantine().show(sha256(spamOriginal))).isPresent();
  }

  @Test
  void deleShouldBeRefusedForARenditionWhoseOriginalIsNotInTheQuarantineStore() throws Exception {
    String uidl = upstreamUidl(1);
    byte[] rendition = "Subject: kept\r\n\r\nrendition\r\n".getBytes(StandardCharsets.US_ASCII);
    String renditionId =
        store("renditions")
            .put(
                new ByteArrayInputStream(rendition),
                new io.portcullis.filter.quarantine.QuarantineMetadata(
                    "default/alice", null, 0, List.of(), 0, List.of(), "", "", null));
    // A verdict as a store could hold it had the original never reached the quarantine store.
    new VerdictStore(new StateStore(dataDir.resolve("state")))
        .put(
            MessageRef.pop3("default/alice", uidl),
            new VerdictStore.Stored(
                FilterAction.TAG,
                "0".repeat(64),
                10,
                Optional.empty(),
                Optional.of(renditionId),
                rendition.length,
                List.of(),
                0,
                "t",
                Instant.now()));
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("RETR 1\r\nDELE 1\r\nRSET\r\nQUIT\r\n");
      assertThat(client.readLine()).isEqualTo("+OK " + rendition.length + " octets");
      assertThat(unstuff(client.readRawMultiLine())).isEqualTo(rendition);
      assertThat(client.readLine()).isEqualTo("-ERR [SYS/TEMP] Message cannot be deleted yet");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK");
    }
    assertThat(upstreamCount()).isEqualTo(UPSTREAM.size());
  }

  @Test
  void deleShouldBeRefusedOnceTheOriginalIsGoneFromTheQuarantineStore() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View.read(client);
    }
    // Retention purged the spam's original after the verdict was stored.
    String id = sha256(upstreamOriginal(2));
    deleteEntry(dataDir.resolve("quarantine"), id);
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("DELE 2\r\nQUIT\r\n");
      assertThat(client.readLine()).isEqualTo("-ERR [SYS/TEMP] Message cannot be deleted yet");
      assertThat(client.readLine()).startsWith("+OK");
    }
    assertThat(upstreamCount()).isEqualTo(UPSTREAM.size());
  }

  @Test
  void renditionLostFromItsStoreShouldBeMadeAgainNotAnnounced() throws Exception {
    View first;
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      first = View.read(client);
    }
    long scans = messageEvents();
    deleteEntry(dataDir.resolve("renditions"), sha256(first.messages().get(1)));
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View second = View.read(client);
      assertThat(second.sizes()).isEqualTo(first.sizes());
      assertThat(second.messages().get(1)).isEqualTo(first.messages().get(1));
    }
    assertThat(messageEvents()).isEqualTo(scans + 1);
  }

  @Test
  void rsetShouldUndoDeletionMarksInTheMaildropToo() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      client.send("DELE 1\r\nSTAT\r\nRSET\r\nSTAT\r\nLIST 1\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK 3 ");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK 4 ");
      assertThat(client.readLine()).startsWith("+OK 1 ");
      assertThat(client.readLine()).startsWith("+OK");
    }
    assertThat(upstreamCount()).isEqualTo(UPSTREAM.size());
  }

  @Test
  void commandsPipelinedBehindPassShouldWaitForTheMaildropAndBeAnsweredInOrder() throws Exception {
    try (LineClient client = LineClient.tls(fixture.pop3s(), fixture.trust())) {
      client.readLine();
      client.send(
          "USER alice\r\nPASS correct-horse\r\nSTAT\r\nUIDL\r\nRETR 4\r\nTOP 2 0\r\nLAST\r\n"
              + "NOOP\r\nQUIT\r\n");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).isEqualTo("+OK Logged in");
      assertThat(client.readLine()).startsWith("+OK 4 ");
      assertThat(client.readLine()).isEqualTo("+OK");
      assertThat(client.readMultiLine()).hasSize(4);
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(new String(client.readRawMultiLine(), StandardCharsets.US_ASCII))
          .contains("Subject: large report");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(String.join("\n", client.readMultiLine())).contains("X-Spam-Flag: YES");
      assertThat(client.readLine()).isEqualTo("-ERR Unknown command");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.readLine()).startsWith("+OK");
      assertThat(client.closedByServer()).isTrue();
    }
  }

  @Test
  void releasedMessageShouldBeDeliveredAsTheOriginalInTheNextSession() throws Exception {
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      assertThat(View.read(client).count()).isEqualTo(4);
    }
    byte[] phishing = upstreamOriginal(7);
    Releases releases = new Releases(new StateStore(dataDir.resolve("state")));
    releases.request(
        new Releases.Release(
            sha256(phishing), "default/alice", "pop3:" + upstreamUidl(7), Instant.now()));
    try (LineClient client = fixture.login("alice", "correct-horse")) {
      View view = View.read(client);
      assertThat(view.count()).isEqualTo(5);
      assertThat(view.messages().get(4)).isEqualTo(phishing);
      assertThat(view.sizes().get(4)).isEqualTo(phishing.length);
    }
    assertThat(releases.pending("default/alice")).isEmpty();
  }

  @Test
  void jakartaMailShouldSeeSizesThatMatchTheContentItReads() throws Exception {
    Properties props = new Properties();
    props.put("mail.pop3s.ssl.socketFactory", fixture.trust());
    props.put("mail.pop3s.timeout", "20000");
    Store store = Session.getInstance(props).getStore("pop3s");
    store.connect("127.0.0.1", fixture.pop3s().getPort(), "alice", "correct-horse");
    try {
      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      Message[] messages = inbox.getMessages();
      assertThat(messages).hasSize(4);
      // The LIST sizes the client was given, against the bytes it then read.
      int[] listed = ((org.eclipse.angus.mail.pop3.POP3Folder) inbox).getSizes();
      for (int i = 0; i < messages.length; i++) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        messages[i].writeTo(out);
        assertThat(out.size()).as(messages[i].getSubject()).isEqualTo(listed[i]);
        assertThat(out.toString(StandardCharsets.ISO_8859_1)).doesNotContain(MARKER);
      }
      inbox.close(false);
    } finally {
      store.close();
    }
  }

  // ---- what the client sees ----

  /** One session's view of the maildrop: STAT, LIST, UIDL and every message by RETR. */
  private record View(
      int count, long octets, List<Long> sizes, List<String> uidls, List<byte[]> messages) {

    static View read(LineClient client) throws Exception {
      client.send("STAT\r\nLIST\r\nUIDL\r\n");
      String[] stat = client.readLine().split(" ");
      assertThat(client.readLine()).startsWith("+OK");
      List<Long> sizes = new ArrayList<>();
      List<String> list = client.readMultiLine();
      for (int i = 0; i < list.size(); i++) {
        String[] parts = list.get(i).split(" ");
        assertThat(parts[0]).isEqualTo(String.valueOf(i + 1));
        sizes.add(Long.parseLong(parts[1]));
      }
      assertThat(client.readLine()).startsWith("+OK");
      List<String> uidls = new ArrayList<>();
      List<String> uidl = client.readMultiLine();
      for (int i = 0; i < uidl.size(); i++) {
        String[] parts = uidl.get(i).split(" ");
        assertThat(parts[0]).isEqualTo(String.valueOf(i + 1));
        uidls.add(parts[1]);
      }
      List<byte[]> messages = new ArrayList<>();
      for (int n = 1; n <= sizes.size(); n++) {
        client.send("RETR " + n + "\r\n");
        assertThat(client.readLine()).startsWith("+OK");
        messages.add(unstuff(client.readRawMultiLine()));
      }
      return new View(Integer.parseInt(stat[1]), Long.parseLong(stat[2]), sizes, uidls, messages);
    }

    List<String> subjects() throws Exception {
      List<String> subjects = new ArrayList<>();
      for (byte[] m : messages) {
        subjects.add(
            new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(m))
                .getSubject()
                .replaceFirst("^\\[[A-Z ]+\\] ", ""));
      }
      return subjects;
    }
  }

  /** The message in a raw multi-line answer body: dot-stuffing undone, terminator dropped. */
  static byte[] unstuff(byte[] raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    boolean lineStart = true;
    for (int i = 0; i < raw.length - 3; i++) {
      byte b = raw[i];
      if (!(lineStart && b == '.')) {
        out.write(b);
      }
      lineStart = b == '\n';
    }
    return out.toByteArray();
  }

  /** Every leaf part's content, transfer encoding undone, as ISO-8859-1 text. */
  private static List<String> decodedParts(byte[] message) throws Exception {
    List<String> parts = new ArrayList<>();
    collect(
        new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(message)),
        parts);
    return parts;
  }

  private static void collect(Part part, List<String> out) throws Exception {
    Object content = part.getContent();
    if (content instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        collect(child, out);
      }
      return;
    }
    try (InputStream in = part.getInputStream()) {
      out.add(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
    }
  }

  // ---- the upstream and the stores, looked at directly ----

  private byte[] upstreamOriginal(int n) throws Exception {
    try (LineClient upstream = upstreamSession()) {
      upstream.send("RETR " + n + "\r\n");
      assertThat(upstream.readLine()).startsWith("+OK");
      return unstuff(upstream.readRawMultiLine());
    }
  }

  private String upstreamUidl(int n) throws Exception {
    try (LineClient upstream = upstreamSession()) {
      upstream.send("UIDL " + n + "\r\n");
      return upstream.readLine().split(" ")[2];
    }
  }

  private int upstreamCount() throws Exception {
    try (LineClient upstream = upstreamSession()) {
      upstream.send("STAT\r\n");
      return Integer.parseInt(upstream.readLine().split(" ")[1]);
    }
  }

  private LineClient upstreamSession() throws Exception {
    LineClient upstream = LineClient.plain(fixture.upstreamAddress());
    upstream.readLine();
    upstream.send("USER alice\r\nPASS correct-horse\r\n");
    upstream.readLine();
    upstream.readLine();
    return upstream;
  }

  private QuarantineStore quarantine() throws Exception {
    return store("quarantine");
  }

  /** The gateway's encrypted store named {@code name}, opened as the gateway opens it. */
  private QuarantineStore store(String name) throws Exception {
    MasterKey key = MasterKey.fromFile(dataDir.resolve("master.key"));
    return QuarantineStore.encrypted(dataDir.resolve(name), key.derive(name), Clock.systemUTC());
  }

  /** Removes an entry's files from an encrypted store (docs/filtering.md: Quarantine). */
  private static void deleteEntry(Path store, String id) throws Exception {
    Path dir = store.resolve("objects").resolve(id.substring(0, 2));
    assertThat(java.nio.file.Files.deleteIfExists(dir.resolve(id + ".pcq"))).isTrue();
    java.nio.file.Files.deleteIfExists(dir.resolve(id + ".meta"));
  }

  private long messageEvents() {
    return logs.audit().stream().filter(l -> l.contains("\"event\":\"message\"")).count();
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  // ---- the mailbox ----

  private static Map<String, byte[]> samples() {
    Map<String, byte[]> all = SampleMessages.all();
    Map<String, byte[]> samples = new LinkedHashMap<>();
    samples.put("plain", all.get("plain.eml"));
    samples.put("spam", all.get("spam.eml"));
    samples.put(
        "exe",
        SampleMessages.withAttachment(
            "Invoice 2026-1187",
            "Your invoice is attached.",
            "invoice.zip",
            "application/zip",
            storedZip(Map.of("invoice.pdf.exe", concat(SampleMessages.peStub(), marker())))));
    samples.put("macro", macroDocument());
    samples.put(
        "bomb",
        SampleMessages.withAttachment(
            "Backup", "The backup.", "backup.zip", "application/zip", zeroZip(20 << 20)));
    samples.put(
        "large",
        ("From: Reports <reports@example.net>\r\nTo: alice@example.org\r\n"
                + "Subject: large report\r\nDate: Tue, 24 Nov 2026 09:00:00 +0000\r\n"
                + "Message-ID: <large@example.net>\r\n\r\n"
                + ("quarterly figures, line after line of them\r\n").repeat(8000))
            .getBytes(StandardCharsets.US_ASCII));
    samples.put("phishing", all.get("phishing.eml"));
    return samples;
  }

  private static byte[] marker() {
    return MARKER.getBytes(StandardCharsets.US_ASCII);
  }

  /** A macro-enabled Word document (OOXML with a VBA project) whose project holds the marker. */
  private static byte[] macroDocument() {
    byte[] docm =
        storedZip(
            Map.of(
                "[Content_Types].xml",
                ("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
                        + "<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.ms-word.document.macroEnabled.main+xml\"/>"
                        + "<Override PartName=\"/word/vbaProject.bin\" ContentType=\"application/vnd.ms-office.vbaProject\"/></Types>")
                    .getBytes(StandardCharsets.UTF_8),
                "word/document.xml",
                "<?xml version=\"1.0\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>Figures</w:t></w:r></w:p></w:body></w:document>"
                    .getBytes(StandardCharsets.UTF_8),
                "word/vbaProject.bin",
                marker()));
    return SampleMessages.withAttachment(
        "Q3 report",
        "Please find the Q3 report attached.",
        "Q3-report.docm",
        "application/vnd.ms-word.document.macroEnabled.12",
        docm);
  }

  /** A zip whose entries are stored, not deflated, so their bytes appear as they are. */
  private static byte[] storedZip(Map<String, byte[]> entries) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (String name : new java.util.TreeSet<>(entries.keySet())) {
        byte[] data = entries.get(name);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A deflated zip of {@code size} zero bytes: a ratio bomb of a few kilobytes. */
  private static byte[] zeroZip(int size) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      zip.putNextEntry(new ZipEntry("zeros.bin"));
      byte[] chunk = new byte[1 << 16];
      for (int written = 0; written < size; written += chunk.length) {
        zip.write(chunk);
      }
      zip.closeEntry();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
