package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.secret.MasterKey;
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.quarantine.QuarantineMetadata;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.StateStore;
import io.portcullis.gateway.filtering.VerdictStore;
import io.portcullis.policy.FilterAction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The look-up from memory that lets a later session decide on its event loop must answer exactly
 * what the store look-up answers, and must decline whenever only the stores can answer.
 */
class VerdictKeeperTest {
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), ZoneOffset.UTC);
  private static final String ACCOUNT = "default/alice";

  @TempDir Path dir;
  private MasterKey key;
  private final List<MessageFilter> filters = new ArrayList<>();

  @BeforeEach
  void key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    key = MasterKey.fromBase64(Base64.getEncoder().encodeToString(k), "test");
  }

  @AfterEach
  void close() {
    filters.forEach(MessageFilter::close);
  }

  /** A filter over the stores in {@link #dir}; each has its own in-memory verdict cache. */
  private MessageFilter filter() throws IOException {
    MessageFilter filter =
        new MessageFilter(
            MessageAnalyzer.create(
                FilterSettings.defaults().withScratchDir(dir.resolve("spool/scan")),
                Optional.empty()),
            QuarantineStore.encrypted(dir.resolve("quarantine"), key.derive("quarantine"), CLOCK),
            QuarantineStore.encrypted(dir.resolve("renditions"), key.derive("renditions"), CLOCK),
            new StateStore(dir.resolve("state")),
            dir.resolve("spool"),
            1,
            Duration.ofSeconds(30),
            new AuditLog(CLOCK),
            CLOCK);
    filters.add(filter);
    return filter;
  }

  private static final List<UpstreamListing.Message> LISTED =
      List.of(
          new UpstreamListing.Message(1, "u-allowed", 100),
          new UpstreamListing.Message(2, "u-quarantined", 200),
          new UpstreamListing.Message(3, "u-new", 300));

  private static VerdictStore.Stored verdict(
      FilterAction action, Optional<String> quarantineId, Optional<String> renditionId) {
    return new VerdictStore.Stored(
        action,
        "ab".repeat(32),
        100,
        quarantineId,
        renditionId,
        90,
        List.of(),
        0.5,
        "r",
        CLOCK.instant());
  }

  private static void store(MessageFilter filter, String uidl, VerdictStore.Stored v) {
    filter.verdicts().put(MessageRef.pop3(ACCOUNT, uidl), v);
  }

  private static void storeTwo(MessageFilter filter) {
    store(filter, "u-allowed", verdict(FilterAction.ALLOW, Optional.empty(), Optional.empty()));
    store(
        filter,
        "u-quarantined",
        verdict(FilterAction.QUARANTINE, Optional.of("cd".repeat(32)), Optional.empty()));
  }

  @Test
  void fromMemoryShouldAnswerWhatTheStoresAnswer() throws IOException {
    MessageFilter filter = filter();
    storeTwo(filter);
    VerdictKeeper keeper = new VerdictKeeper(filter, ACCOUNT, CLOCK);
    // The new message is not known to memory until the store was asked once.
    assertThat(keeper.lookUpInMemory(LISTED, Map.of())).isEmpty();

    List<VerdictKeeper.Known> fromStores = keeper.lookUp(LISTED, keeper.pendingReleases());

    assertThat(keeper.lookUpInMemory(LISTED, Map.of())).contains(fromStores);
    assertThat(fromStores)
        .extracting(VerdictKeeper.Known::stored)
        .containsExactly(true, true, false);
    assertThat(fromStores.get(0).entry())
        .contains(new MaildropEntry(1, "u-allowed", 90, Optional.empty(), true));
    assertThat(fromStores.get(1).entry()).isEmpty();
  }

  @Test
  void verdictsThisProcessHasNotReadShouldTakeTheStores() throws IOException {
    storeTwo(filter());
    MessageFilter restarted = filter();
    VerdictKeeper keeper = new VerdictKeeper(restarted, ACCOUNT, CLOCK);

    assertThat(keeper.lookUpInMemory(LISTED, Map.of())).isEmpty();
    assertThat(keeper.lookUp(LISTED, keeper.pendingReleases()))
        .extracting(VerdictKeeper.Known::stored)
        .containsExactly(true, true, false);
  }

  @Test
  void aPendingReleaseShouldTakeTheStores() throws IOException {
    MessageFilter filter = filter();
    storeTwo(filter);
    VerdictKeeper keeper = new VerdictKeeper(filter, ACCOUNT, CLOCK);
    keeper.lookUp(LISTED, Map.of());
    filter
        .releases()
        .request(
            new Releases.Release("cd".repeat(32), ACCOUNT, "pop3:u-quarantined", CLOCK.instant()));

    Map<String, Releases.Release> pending = keeper.pendingReleases();
    assertThat(keeper.lookUpInMemory(LISTED, pending)).isEmpty();
    assertThat(keeper.lookUp(LISTED, pending).get(1).entry())
        .contains(new MaildropEntry(2, "u-quarantined", 100, Optional.empty(), true));
  }

  @Test
  void aRenditionShouldTakeTheStoresWhichCheckItIsStillThere() throws IOException {
    MessageFilter filter = filter();
    String rendition =
        filter
            .renditions()
            .put(
                new ByteArrayInputStream(
                    "Subject: [SPAM]\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)),
                new QuarantineMetadata(ACCOUNT, null, 0, List.of(), 9.0, List.of(), "", "", null));
    store(filter, "u-allowed", verdict(FilterAction.TAG, Optional.empty(), Optional.of(rendition)));
    VerdictKeeper keeper = new VerdictKeeper(filter, ACCOUNT, CLOCK);
    List<UpstreamListing.Message> one = LISTED.subList(0, 1);
    keeper.lookUp(one, Map.of());

    assertThat(keeper.lookUpInMemory(one, Map.of())).isEmpty();
    // Not secured (no quarantined original): shown, but DELE must not reach the upstream.
    assertThat(keeper.lookUp(one, Map.of()).get(0).entry())
        .contains(new MaildropEntry(1, "u-allowed", 90, Optional.of(rendition), false));
  }
}
