package io.portcullis.gateway.filtering;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.secret.MasterKey;
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.SampleMessages;
import io.portcullis.filter.io.Spool;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.policy.FilterAction;
import io.portcullis.policy.Policy;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.PolicyLoader;
import io.portcullis.policy.SessionFacts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageFilterTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);

  @TempDir Path dir;
  private MasterKey key;
  private MessageFilter filter;

  @BeforeEach
  void open() throws IOException {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    key = MasterKey.fromBase64(Base64.getEncoder().encodeToString(k), "test");
    filter = newFilter(Duration.ofSeconds(30));
  }

  @AfterEach
  void close() {
    filter.close();
  }

  private MessageFilter newFilter(Duration timeout) throws IOException {
    return new MessageFilter(
        MessageAnalyzer.create(
            FilterSettings.defaults().withScratchDir(dir.resolve("spool/scan")), Optional.empty()),
        QuarantineStore.encrypted(dir.resolve("quarantine"), key.derive("quarantine"), CLOCK),
        QuarantineStore.encrypted(dir.resolve("renditions"), key.derive("renditions"), CLOCK),
        new StateStore(dir.resolve("state")),
        dir.resolve("spool"),
        2,
        timeout,
        new AuditLog(CLOCK),
        CLOCK);
  }

  private static SessionFilter session(String protocol, Policy policy) throws Exception {
    SessionFacts facts =
        new SessionFacts(
            "alice@example.org",
            Set.of(),
            InetAddress.getByName("192.0.2.7"),
            "main",
            protocol,
            Optional.of("TLSv1.3"),
            false,
            "PLAIN",
            CLOCK.instant());
    PolicyEngine engine = new PolicyEngine(policy);
    return new SessionFilter(SessionFilter.account("default", "alice"), facts, () -> engine);
  }

  private FilterOutcome run(SessionFilter session, byte[] message) throws Exception {
    try (Spool spool = filter.newSpool()) {
      spool.write(message);
      spool.seal();
      return filter.filter(session, MessageRef.pop3(session.account(), "u1"), spool).get();
    }
  }

  private static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  private static byte[] read(Spool spool) throws IOException {
    try (InputStream in = spool.openStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  void cleanMessageShouldBeAllowedUntouchedAndNotQuarantined() throws Exception {
    byte[] plain = SampleMessages.all().get("plain.eml");

    FilterOutcome o = run(session("pop3", Policy.builtInDefault()), plain);

    assertThat(o.action()).isEqualTo(FilterAction.ALLOW);
    assertThat(o.scanned()).isTrue();
    assertThat(o.rendition()).isEmpty();
    assertThat(o.quarantineId()).isEmpty();
    assertThat(o.originalSha256()).isEqualTo(sha256(plain));
    assertThat(filter.quarantine().list(Optional.empty())).isEmpty();
  }

  @Test
  void executableInZipShouldBeWithheldWithTheOriginalInTheQuarantineStore() throws Exception {
    byte[] message = SampleMessages.executableInZip();

    FilterOutcome o = run(session("imap", Policy.builtInDefault()), message);

    assertThat(o.action()).isEqualTo(FilterAction.QUARANTINE);
    assertThat(o.delivered()).isFalse();
    assertThat(o.labels()).contains("dangerous-attachment");
    assertThat(o.quarantineId()).contains(sha256(message));
    try (InputStream in = filter.quarantine().release(o.quarantineId().get())) {
      assertThat(in.readAllBytes()).isEqualTo(message);
    }
    assertThat(filter.quarantine().show(o.quarantineId().get()).get().metadata().account())
        .isEqualTo("default/alice");
  }

  @Test
  void spamOverPop3ShouldBeDeliveredTaggedWithTheOriginalKept() throws Exception {
    byte[] spam = SampleMessages.all().get("spam.eml");

    FilterOutcome o = run(session("pop3", Policy.builtInDefault()), spam);

    assertThat(o.action()).isEqualTo(FilterAction.JUNK);
    assertThat(o.quarantineId()).contains(sha256(spam));
    String delivered = new String(read(o.rendition().orElseThrow()), StandardCharsets.UTF_8);
    assertThat(delivered).containsIgnoringCase("X-Spam-Flag: YES");
    o.rendition().get().close();
  }

  @Test
  void spamOverImapShouldBeJunkWithoutRenditionBecauseTheOriginalIsMovedUpstream()
      throws Exception {
    FilterOutcome o =
        run(session("imap", Policy.builtInDefault()), SampleMessages.all().get("spam.eml"));

    assertThat(o.action()).isEqualTo(FilterAction.JUNK);
    assertThat(o.rendition()).isEmpty();
    assertThat(o.quarantineId()).isEmpty();
  }

  @Test
  void stripPolicyShouldDeliverTheMessageWithoutTheExecutable() throws Exception {
    Policy strip =
        PolicyLoader.parse(
            "strip.yml",
            """
            version: 1
            attachment-classes:
              executables:
                categories: [executable, archive]
            filtering:
              - id: strip-executables
                match:
                  attachment-class: executables
                action: strip
            """);
    byte[] message = SampleMessages.executableInZip();

    FilterOutcome o = run(session("imap", strip), message);

    assertThat(o.action()).isEqualTo(FilterAction.STRIP);
    assertThat(o.ruleId()).isEqualTo("strip-executables");
    byte[] delivered = read(o.rendition().orElseThrow());
    assertThat(new String(delivered, StandardCharsets.UTF_8))
        .contains("Portcullis removed the attachment")
        .doesNotContain("UEsDB"); // base64 of a zip's local header: the archive is gone
    assertThat(o.quarantineId()).contains(sha256(message));
    o.rendition().get().close();
  }

  @Test
  void scanTimeoutShouldFailClosedToTheScanErrorAction() throws Exception {
    filter.close();
    filter = newFilter(Duration.ofNanos(1));
    byte[] message = SampleMessages.macroDocument();

    FilterOutcome o = run(session("pop3", Policy.builtInDefault()), message);

    assertThat(o.scanned()).isFalse();
    assertThat(o.labels()).containsExactly("scan-error");
    assertThat(o.action()).isEqualTo(FilterAction.QUARANTINE);
    assertThat(o.quarantineId()).contains(sha256(message));
  }

  @Test
  void overLimitMessageShouldFollowTheOverLimitActionWithoutAnalysis() throws Exception {
    Policy small =
        PolicyLoader.parse(
            "small.yml",
            """
            version: 1
            defaults:
              scanning:
                max-size: 100
                over-limit: tag
            """);
    byte[] message = SampleMessages.executableInZip();

    FilterOutcome o = run(session("imap", small), message);

    assertThat(o.scanned()).isFalse();
    assertThat(o.action()).isEqualTo(FilterAction.TAG);
    assertThat(new String(read(o.rendition().orElseThrow()), StandardCharsets.UTF_8))
        .containsPattern("Subject: \\[UNSCANNED\\] [^ ]"); // one space after the prefix
    assertThat(filter.needsContent(session("imap", small), 10_000)).isTrue();
    o.rendition().get().close();
  }

  @Test
  void largeMessageShouldBeAnalysedWithItsPartsSpooledToDisk() throws Exception {
    filter.close();
    // As the gateway opens it: the scratch directory sits inside the spool it empties at start.
    io.portcullis.gateway.config.GatewayConfig config =
        new io.portcullis.gateway.config.GatewayConfig(
            dir.resolve("gw"), null, null, null, null, null, null, null);
    filter = FilterStores.open(config, new AuditLog(CLOCK), CLOCK);
    byte[] csv =
        "date,amount,account\r\n2026-11-01,12.50,ACME\r\n"
            .repeat(150_000)
            .getBytes(StandardCharsets.US_ASCII); // 6 MiB: spooled to disk, not memory
    byte[] message =
        SampleMessages.withAttachment("Ledger", "See attached.", "ledger.csv", "text/csv", csv);

    FilterOutcome o = run(session("imap", Policy.builtInDefault()), message);

    assertThat(o.scanned()).isTrue();
    assertThat(o.labels()).isEmpty();
    assertThat(o.action()).isEqualTo(FilterAction.ALLOW);
  }

  @Test
  void everyAttachmentCategoryTheFilterReportsShouldBeNameableInAPolicy() throws Exception {
    String classes =
        String.join(", ", new java.util.TreeSet<>(io.portcullis.filter.attachment.Categories.ALL));

    Policy p =
        PolicyLoader.parse(
            "all.yml",
            "version: 1\nattachment-classes:\n  everything:\n    categories: [" + classes + "]\n");

    assertThat(p).isNotNull();
  }

  @Test
  void filteringOffShouldNeedNoContentAndAllowEverything() throws Exception {
    assertThat(filter.needsContent(SessionFilter.OFF, 10)).isFalse();
    FilterOutcome o = run(SessionFilter.OFF, SampleMessages.executableInZip());
    assertThat(o.action()).isEqualTo(FilterAction.ALLOW);
    assertThat(o.scanned()).isFalse();
  }

  @Test
  void verdictsShouldSurviveAReopenedStore() throws Exception {
    MessageRef ref = MessageRef.imap("default/alice", "INBOX", 7, 42);
    VerdictStore.Stored stored =
        new VerdictStore.Stored(
            FilterAction.STRIP,
            "ab".repeat(32),
            1234,
            Optional.of("ab".repeat(32)),
            Optional.of("cd".repeat(32)),
            900,
            java.util.List.of("dangerous-attachment"),
            1.5,
            "strip-executables",
            CLOCK.instant());
    filter.verdicts().put(ref, stored);

    VerdictStore reopened = new VerdictStore(new StateStore(dir.resolve("state")));

    assertThat(reopened.get(ref)).contains(stored);
    assertThat(reopened.get(MessageRef.imap("default/alice", "INBOX", 8, 42))).isEmpty();
    reopened.remove(ref);
    assertThat(new VerdictStore(new StateStore(dir.resolve("state"))).get(ref)).isEmpty();
  }

  @Test
  void releaseRequestsShouldBeListedPerAccountUntilDone() {
    Releases releases = filter.releases();
    Releases.Release r =
        new Releases.Release("ab".repeat(32), "default/alice", "pop3:u1", CLOCK.instant());
    releases.request(r);
    releases.request(
        new Releases.Release("cd".repeat(32), "default/bob", "pop3:u9", CLOCK.instant()));

    assertThat(releases.pending("default/alice")).containsExactly(r);
    releases.done(r);
    assertThat(releases.pending("default/alice")).isEmpty();
    assertThat(releases.pending("default/bob")).hasSize(1);
  }

  @Test
  void stateKeysOfAnyLengthShouldRoundTrip() {
    String key = "default/alice\nimap:" + "Very/Long/Mailbox/".repeat(40);
    filter.state().put("imap-hwm", key, "17".getBytes(StandardCharsets.US_ASCII));

    assertThat(filter.state().keys("imap-hwm")).containsExactly(key);
    assertThat(filter.state().get("imap-hwm", key))
        .hasValueSatisfying(v -> assertThat(v).asString().isEqualTo("17"));
  }
}
