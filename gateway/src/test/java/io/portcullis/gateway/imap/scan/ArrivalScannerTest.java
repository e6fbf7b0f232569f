package io.portcullis.gateway.imap.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.filter.SampleMessages;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.filtering.FilterStores;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.PolicyLoader;
import io.portcullis.policy.SessionFacts;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The scanner against a real GreenMail upstream and a real message filter: actions upstream on the
 * MOVE path and on the COPY + UID EXPUNGE fallback, the durable mark, and crashes between steps.
 */
class ArrivalScannerTest {
  /** Strips executables and tags macro documents, so both rendition paths run. */
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

  /** A line of the executable's zip as base64: never in anything a client receives. */
  static final String ZIP_MARKER =
      java.util.Base64.getMimeEncoder()
          .encodeToString(
              SampleMessages.zip(java.util.Map.of("invoice.pdf.exe", SampleMessages.peStub())))
          .substring(0, 60);

  @TempDir Path dir;
  private GreenMail greenMail;
  private GreenMailUser user;
  private EventLoopGroup loop;
  private Channel anchor;
  private MessageFilter filter;
  private SessionFilter session;
  private UpstreamConnector connector;
  private final List<ArrivalScanner> scanners = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    greenMail =
        new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()});
    greenMail.start();
    user = greenMail.setUser("demo@localhost", "demo", "demo");
    loop = new NioEventLoopGroup(1);
    anchor = new NioSocketChannel();
    loop.register(anchor).sync();
    Path policy = dir.resolve("policy.yml");
    Files.writeString(policy, POLICY);
    GatewayConfig config =
        new GatewayConfig(
            dir.resolve("data"), List.of(), List.of(), null, null, null, null, policy);
    filter = FilterStores.open(config, new AuditLog(Clock.systemUTC()), Clock.systemUTC());
    PolicyEngine engine = new PolicyEngine(PolicyLoader.load(policy));
    SessionFacts facts =
        new SessionFacts(
            "demo",
            Set.of(),
            InetAddress.getLoopbackAddress(),
            "imaps",
            "imap",
            Optional.of("TLSv1.3"),
            false,
            "PLAIN",
            Instant.now());
    session = new SessionFilter("default/demo", facts, () -> engine);
    connector =
        new UpstreamConnector(
            new UpstreamConfig(
                Endpoint.parse("imap://127.0.0.1:" + greenMail.getImap().getPort()), null),
            Optional.empty(),
            NioSocketChannel.class,
            GatewayLimits.defaults());
  }

  @AfterEach
  void stop() throws Exception {
    scanners.forEach(ArrivalScanner::close);
    filter.close();
    anchor.close();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    greenMail.stop();
  }

  private ArrivalScanner scanner(ArrivalScanner.StepHook hook, boolean useMove) {
    ArrivalScanner s =
        new ArrivalScanner(
            filter,
            session,
            ArrivalScanner.Settings.DEFAULTS,
            ArrivalScanner.opener(
                ArrivalScanner.Settings.DEFAULTS,
                connector,
                new UpstreamCredentials.Password("demo", "demo", UpstreamCredentials.Source.CLIENT),
                anchor),
            hook,
            useMove);
    scanners.add(s);
    return s;
  }

  private ArrivalScanner scanner(boolean useMove) {
    return scanner((p, uid) -> {}, useMove);
  }

  private static final SideConnectionPool.Key DEMO_KEY =
      new SideConnectionPool.Key("default/demo", "imap://upstream", "demo");

  /** A session of "demo" that scans its INBOX and ends, leaving its side connection in the pool. */
  private void endASessionThatScanned(
      SideConnectionPool pool, java.util.concurrent.atomic.AtomicInteger logins) throws Exception {
    ArrivalScanner first = pooledScanner(pool, "demo", logins);
    first.scan("INBOX").get(60, TimeUnit.SECONDS);
    first.close();
  }

  /**
   * A scanner of the "demo" account that keeps its side connection in {@code pool}; counts logins.
   */
  private ArrivalScanner pooledScanner(
      SideConnectionPool pool, String login, java.util.concurrent.atomic.AtomicInteger logins) {
    ArrivalScanner.Opener open =
        ArrivalScanner.opener(
            ArrivalScanner.Settings.DEFAULTS,
            connector,
            new UpstreamCredentials.Password("demo", "demo", UpstreamCredentials.Source.CLIENT),
            anchor);
    ArrivalScanner s =
        new ArrivalScanner(
            filter,
            session,
            ArrivalScanner.Settings.DEFAULTS,
            () -> {
              logins.incrementAndGet();
              return open.open();
            },
            (p, uid) -> {},
            true,
            pool,
            new SideConnectionPool.Key("default/demo", "imap://upstream", login));
    scanners.add(s);
    return s;
  }

  private void deliver(byte[] raw) throws Exception {
    user.deliver(
        new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw)));
  }

  private void deliverSamples() throws Exception {
    deliver(SampleMessages.all().get("plain.eml"));
    deliver(SampleMessages.all().get("spam.eml"));
    deliver(SampleMessages.executableInZip());
    deliver(SampleMessages.macroDocument());
  }

  /** Subjects and raw contents per mailbox, read directly from GreenMail (not via the gateway). */
  private record Seen(String subject, String content, Flags flags) {}

  private List<Seen> mailbox(String name) throws Exception {
    Properties p = new Properties();
    p.put("mail.imap.peek", "true");
    Store store = Session.getInstance(p).getStore("imap");
    store.connect("127.0.0.1", greenMail.getImap().getPort(), "demo", "demo");
    try {
      Folder f = store.getFolder(name);
      if (!f.exists()) {
        return List.of();
      }
      f.open(Folder.READ_ONLY);
      List<Seen> out = new ArrayList<>();
      for (Message m : f.getMessages()) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.writeTo(b);
        out.add(new Seen(m.getSubject(), b.toString(StandardCharsets.ISO_8859_1), m.getFlags()));
      }
      f.close(false);
      return out;
    } finally {
      store.close();
    }
  }

  private static List<String> subjects(List<Seen> seen) {
    return seen.stream().map(Seen::subject).toList();
  }

  @ParameterizedTest(name = "move={0}")
  @CsvSource({"true", "false"})
  void scanShouldCarryOutEveryActionUpstream(boolean useMove) throws Exception {
    deliverSamples();
    ArrivalScanner.Result r = scanner(useMove).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.scanned()).isEqualTo(4);
    assertThat(r.removed()).hasSize(3);
    List<Seen> inbox = mailbox("INBOX");
    assertThat(subjects(inbox)).hasSize(3).contains("Lunch on Thursday?", "Invoice 2026-1187");
    assertThat(subjects(inbox)).anyMatch(s -> s.startsWith("[MACRO]") && s.endsWith("Q3 report"));
    assertThat(inbox).noneMatch(m -> m.content().contains(ZIP_MARKER));
    assertThat(inbox)
        .filteredOn(m -> m.subject().startsWith("[MACRO]"))
        .allMatch(m -> m.flags().contains("$Macro"));
    List<Seen> junk = mailbox("Junk");
    assertThat(junk).hasSize(1);
    assertThat(junk.get(0).flags().contains("$Junk")).isTrue();
    List<Seen> quarantine = mailbox("Quarantine");
    assertThat(subjects(quarantine)).containsExactlyInAnyOrder("Invoice 2026-1187", "Q3 report");
    assertThat(quarantine)
        .filteredOn(m -> m.subject().equals("Invoice 2026-1187"))
        .singleElement()
        .matches(m -> m.content().contains(ZIP_MARKER));
  }

  @Test
  void scanShouldNotSetSeenOnMessagesItLeavesInPlace() throws Exception {
    deliver(SampleMessages.all().get("plain.eml"));
    scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);
    assertThat(mailbox("INBOX").get(0).flags().contains(Flags.Flag.SEEN)).isFalse();
  }

  @Test
  void restartShouldResumeFromTheDurableMarkWithoutRescanning() throws Exception {
    deliverSamples();
    scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);
    scanners.get(0).close();

    ArrivalScanner.Result again = scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(again.scanned()).isZero();
    deliver(SampleMessages.all().get("plain.eml"));
    assertThat(scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS).scanned()).isEqualTo(1);
  }

  /** A crash (the side connection abandoned, a new scanner) after each durable step. */
  @ParameterizedTest(name = "crash after {0}, move={1}")
  @CsvSource({
    "PLANNED, true",
    "APPENDED, true",
    "REMOVED, true",
    "PLANNED, false",
    "APPENDED, false",
    "COPIED, false",
    "REMOVED, false"
  })
  void crashBetweenStepsShouldLeaveEachOriginalExactlyOnce(
      ArrivalScanner.Point point, boolean useMove) throws Exception {
    deliver(SampleMessages.executableInZip());
    ArrivalScanner crashing =
        scanner(
            (p, uid) -> {
              if (p == point) {
                throw new IOException("simulated crash at " + p);
              }
            },
            useMove);
    assertThatThrownBy(() -> crashing.scan("INBOX").get(60, TimeUnit.SECONDS))
        .hasRootCauseMessage("simulated crash at " + point);
    crashing.crash();

    scanner(useMove).scan("INBOX").get(60, TimeUnit.SECONDS);

    List<Seen> inbox = mailbox("INBOX");
    List<Seen> quarantine = mailbox("Quarantine");
    // GreenMail has UIDPLUS, so the fallback expunges the original by UID: nothing is left over.
    assertThat(quarantine).hasSize(1);
    assertThat(quarantine.get(0).content()).contains(ZIP_MARKER);
    assertThat(inbox).hasSize(1);
    assertThat(inbox.get(0).content()).doesNotContain(ZIP_MARKER);
    assertThat(inbox.get(0).content()).contains(ArrivalScanner.RENDITION_HEADER);
  }

  /** What {@code portcullis quarantine release} records for the one quarantined original. */
  private void requestReleaseOfTheQuarantinedOne() throws IOException {
    String id = filter.quarantine().list(Optional.empty()).get(0).id();
    filter
        .releases()
        .request(
            new io.portcullis.gateway.filtering.Releases.Release(
                id,
                session.account(),
                io.portcullis.gateway.filtering.MessageRef.imap(session.account(), "INBOX", 1, 1)
                    .location(),
                Instant.now()));
  }

  @Test
  void pendingReleaseShouldMoveTheOriginalBackWithoutScanningItAgain() throws Exception {
    deliver(SampleMessages.executableInZip());
    scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);
    requestReleaseOfTheQuarantinedOne();

    ArrivalScanner.Result r = scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.scanned()).isZero();
    assertThat(mailbox("Quarantine")).isEmpty();
    assertThat(mailbox("INBOX")).hasSize(2).anyMatch(m -> m.content().contains(ZIP_MARKER));
    assertThat(filter.releases().pending(session.account())).isEmpty();
  }

  @Test
  void releaseAheadShouldMoveTheOriginalBackWithoutAScan() throws Exception {
    deliver(SampleMessages.executableInZip());
    scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);
    ArrivalScanner idle = scanner(true);
    assertThat(idle.releaseAhead().get(60, TimeUnit.SECONDS)).isFalse(); // nothing requested
    requestReleaseOfTheQuarantinedOne();

    assertThat(scanner(true).releaseAhead().get(60, TimeUnit.SECONDS)).isTrue();

    assertThat(mailbox("Quarantine")).isEmpty();
    assertThat(mailbox("INBOX")).hasSize(2).anyMatch(m -> m.content().contains(ZIP_MARKER));
    assertThat(filter.releases().pending(session.account())).isEmpty();
  }

  /**
   * A mailbox the server created again under its old UIDVALIDITY (GreenMail does, within the same
   * second) holds UIDs below the mark: they are new messages, scanned like any other.
   */
  @Test
  void uidsBelowTheMarkUnderTheSameUidValidityShouldBeScannedAfresh() throws Exception {
    deliver(SampleMessages.executableInZip()); // UID 1, UIDNEXT 2
    long validity = greenMail.getManagers().getImapHostManager().getInbox(user).getUidValidity();
    String box = ScanJournal.mailboxKey(session.account(), "INBOX", validity);
    ScanJournal journal = new ScanJournal(filter.state());
    journal.advance(box, 5); // what scans of the earlier incarnation left
    journal.skip(box, 1);

    ArrivalScanner.Result r = scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.scanned()).isEqualTo(1);
    assertThat(mailbox("Quarantine"))
        .singleElement()
        .matches(m -> m.content().contains(ZIP_MARKER));
    assertThat(mailbox("INBOX")).noneMatch(m -> m.content().contains(ZIP_MARKER));
  }

  @Test
  void keywordOnlyTagShouldSetTheKeywordAndLeaveTheMessageInPlace() throws Exception {
    Path policy = dir.resolve("keyword.yml");
    Files.writeString(
        policy,
        """
        version: 1
        filtering:
          - id: tag-everything
            action: tag
            tag: { keyword: $Checked, keyword-only: true }
        """);
    PolicyEngine engine = new PolicyEngine(PolicyLoader.load(policy));
    session = new SessionFilter(session.account(), session.facts(), () -> engine);
    deliver(SampleMessages.all().get("plain.eml"));

    ArrivalScanner.Result r = scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.removed()).isEmpty();
    List<Seen> inbox = mailbox("INBOX");
    assertThat(inbox).singleElement().matches(m -> m.flags().contains("$Checked"));
    assertThat(inbox.get(0).content()).doesNotContain(ArrivalScanner.RENDITION_HEADER);
  }

  @Test
  void sideConnectionLoggedOutByTheUpstreamShouldBeReopenedAtTheNextScan() throws Exception {
    ArrivalScanner scanner = scanner(true);
    scanner.scan("INBOX").get(60, TimeUnit.SECONDS);
    scanner.dropSideConnection();
    deliver(SampleMessages.executableInZip());

    ArrivalScanner.Result r = scanner.scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.removed()).hasSize(1);
    assertThat(mailbox("Quarantine")).hasSize(1);
  }

  @Test
  void nextSessionOfTheAccountShouldScanOnTheConnectionTheLastOneLeftWithoutLoggingIn()
      throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      endASessionThatScanned(pool, logins);
      assertThat(pool.size()).isEqualTo(1);
      deliver(SampleMessages.all().get("spam.eml"));

      ArrivalScanner.Result r =
          pooledScanner(pool, "demo", logins).scan("INBOX").get(60, TimeUnit.SECONDS);

      assertThat(r.scanned()).isEqualTo(1);
      assertThat(mailbox("Junk")).hasSize(1);
      assertThat(logins).hasValue(1);
      assertThat(pool.size()).isZero(); // the second session holds it now
    }
  }

  @Test
  void scanAheadShouldScanOnAKeptConnection() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      endASessionThatScanned(pool, logins);
      deliver(SampleMessages.all().get("spam.eml"));

      ArrivalScanner next = pooledScanner(pool, "demo", logins);
      java.util.Optional<ArrivalScanner.Result> r =
          next.scanAhead("INBOX").get(60, TimeUnit.SECONDS);

      assertThat(r).isPresent();
      assertThat(r.get().scanned()).isEqualTo(1);
      assertThat(mailbox("Junk")).hasSize(1);
      assertThat(logins).hasValue(1);
      // The SELECT that follows finds nothing left to scan.
      assertThat(next.scan("INBOX").get(60, TimeUnit.SECONDS).scanned()).isZero();
    }
  }

  @Test
  void whatAScanSettledShouldOutliveItsSessionForTheSameAccountOnly() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      deliver(SampleMessages.all().get("plain.eml"));
      ArrivalScanner first = pooledScanner(pool, "demo", logins);
      assertThat(first.settled("INBOX")).isEmpty();
      first.scan("INBOX").get(60, TimeUnit.SECONDS);
      ArrivalScanner.Settled settled = first.settled("INBOX").orElseThrow();
      assertThat(settled.uidNext()).isEqualTo(2); // the one message, UID 1, is scanned
      first.close();

      assertThat(pooledScanner(pool, "demo", logins).settled("INBOX")).contains(settled);
      assertThat(pool.settled("default/other", "INBOX")).isEmpty();
      // The latest scan's state replaces the last (after the server reused a UIDVALIDITY, a lower
      // UIDNEXT is the true one).
      ArrivalScanner.Settled lower = new ArrivalScanner.Settled(settled.uidValidity(), 1);
      pool.settle("default/demo", "INBOX", lower);
      assertThat(pool.settled("default/demo", "INBOX")).contains(lower);
    }
  }

  @Test
  void scanAheadShouldDoNothingWithoutAKeptConnection() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      deliver(SampleMessages.all().get("spam.eml"));

      ArrivalScanner first = pooledScanner(pool, "demo", logins);

      assertThat(first.scanAhead("INBOX").get(60, TimeUnit.SECONDS)).isEmpty();
      assertThat(logins).hasValue(0);
      assertThat(mailbox("Junk")).isEmpty();
      assertThat(first.scan("INBOX").get(60, TimeUnit.SECONDS).scanned()).isEqualTo(1);
    }
  }

  @Test
  void keptConnectionShouldOnlyGoToTheSameAccountAndUpstreamLogin() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      endASessionThatScanned(pool, logins);

      pooledScanner(pool, "someone-else", logins).scan("INBOX").get(60, TimeUnit.SECONDS);

      assertThat(logins).hasValue(2);
      assertThat(pool.size()).isEqualTo(1); // still waiting for "demo"
    }
  }

  @Test
  void keptConnectionTheUpstreamDroppedShouldBeReplacedByANewLogin() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    try (SideConnectionPool pool = new SideConnectionPool()) {
      endASessionThatScanned(pool, logins);
      SideConnectionPool.Idle kept = pool.take(DEMO_KEY).orElseThrow();
      pool.give(DEMO_KEY, kept);
      kept.side().abort(); // dropped while it waited (autologout, upstream restart)
      deliver(SampleMessages.executableInZip());

      ArrivalScanner.Result r =
          pooledScanner(pool, "demo", logins).scan("INBOX").get(60, TimeUnit.SECONDS);

      assertThat(r.removed()).hasSize(1);
      assertThat(logins).hasValue(2);
    }
  }

  @Test
  void keptConnectionShouldBeLoggedOutWhenNoSessionCameForIt() throws Exception {
    var logins = new java.util.concurrent.atomic.AtomicInteger();
    var now = new java.util.concurrent.atomic.AtomicLong();
    try (SideConnectionPool pool =
        new SideConnectionPool(
            SideConnectionPool.IDLE,
            now::get,
            com.github.benmanes.caffeine.cache.Scheduler.disabledScheduler())) {
      endASessionThatScanned(pool, logins);
      SideConnectionPool.Idle kept = pool.take(DEMO_KEY).orElseThrow();
      pool.give(DEMO_KEY, kept);

      now.addAndGet(SideConnectionPool.IDLE.plusSeconds(1).toNanos());

      assertThat(pool.size()).isZero();
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> !kept.side().isOpen());
    }
  }

  @Test
  void scanShouldCoverMailboxesLargerThanOneBatch() throws Exception {
    for (int i = 0; i < 35; i++) {
      deliver(i == 20 ? SampleMessages.executableInZip() : SampleMessages.all().get("plain.eml"));
    }

    ArrivalScanner.Result r = scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS);

    assertThat(r.scanned()).isEqualTo(35);
    assertThat(r.removed()).containsExactly(21L);
    assertThat(mailbox("Quarantine")).hasSize(1);
    assertThat(scanner(true).scan("INBOX").get(60, TimeUnit.SECONDS).scanned()).isZero();
  }
}
