package io.portcullis.gateway.pop3;

import io.portcullis.filter.io.Spool;
import io.portcullis.filter.quarantine.QuarantineMetadata;
import io.portcullis.filter.quarantine.QuarantineStore;
import io.portcullis.gateway.filtering.FilterOutcome;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.MessageRef;
import io.portcullis.gateway.filtering.Releases;
import io.portcullis.gateway.filtering.VerdictStore;
import io.portcullis.policy.FilterAction;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The durable side of the virtual maildrop for one account: stored verdicts looked up (pending
 * releases carried out first), new outcomes stored with their renditions, and what each means for
 * the client. Every method does blocking store I/O: call off the event loop. Thread-safe (stateless
 * apart from the stores, which are).
 */
final class VerdictKeeper {

  /**
   * A message and what its stored verdict says.
   *
   * @param stored whether a verdict was stored
   * @param entry the client's view: empty if withheld (or if nothing was stored)
   */
  record Known(UpstreamListing.Message message, boolean stored, Optional<MaildropEntry> entry) {}

  private final MessageFilter filter;
  private final String account;
  private final Clock clock;

  VerdictKeeper(MessageFilter filter, String account, Clock clock) {
    this.filter = filter;
    this.account = account;
    this.clock = clock;
  }

  MessageRef ref(UpstreamListing.Message m) {
    return MessageRef.pop3(account, m.uidl());
  }

  /** The account's pending releases ({@code portcullis quarantine release}) by location. */
  Map<String, Releases.Release> pendingReleases() {
    Map<String, Releases.Release> releases = new HashMap<>();
    for (Releases.Release r : filter.releases().pending(account)) {
      releases.put(r.location(), r);
    }
    return releases;
  }

  /**
   * The stored verdicts of {@code messages}. A pending release (from {@link #pendingReleases})
   * turns the verdict into "deliver the original" first, and is then done.
   */
  List<Known> lookUp(
      List<UpstreamListing.Message> messages, Map<String, Releases.Release> releases) {
    VerdictStore verdicts = filter.verdicts();
    List<Known> known = new ArrayList<>(messages.size());
    for (UpstreamListing.Message m : messages) {
      MessageRef ref = ref(m);
      Optional<VerdictStore.Stored> stored = verdicts.get(ref);
      Releases.Release release = releases.get(ref.location());
      if (release != null && stored.isPresent()) {
        stored = Optional.of(released(stored.get()));
        verdicts.put(ref, stored.get());
        filter.releases().done(release);
      }
      if (stored.isPresent() && !renditionKept(stored.get())) {
        // The rendition is gone from its store: scan again rather than announce what RETR cannot
        // send.
        stored = Optional.empty();
      }
      known.add(
          new Known(
              m,
              stored.isPresent(),
              stored.flatMap(s -> entry(m, s, s.renditionId().isPresent() && secured(s)))));
    }
    return known;
  }

  /**
   * What {@link #lookUp} would answer, from memory alone, or empty when that takes a store: a
   * verdict this process does not hold, a release to carry out, or a rendition whose presence in
   * its store (and its original's in the quarantine store) must be checked. Never blocks: the usual
   * later session of an account decides on its event loop, without a thread hop.
   */
  Optional<List<Known>> lookUpInMemory(
      List<UpstreamListing.Message> messages, Map<String, Releases.Release> releases) {
    if (!releases.isEmpty()) {
      return Optional.empty();
    }
    VerdictStore verdicts = filter.verdicts();
    List<Known> known = new ArrayList<>(messages.size());
    for (UpstreamListing.Message m : messages) {
      Optional<Optional<VerdictStore.Stored>> cached = verdicts.cached(ref(m));
      if (cached.isEmpty() || cached.get().flatMap(VerdictStore.Stored::renditionId).isPresent()) {
        return Optional.empty();
      }
      Optional<VerdictStore.Stored> stored = cached.get();
      known.add(new Known(m, stored.isPresent(), stored.flatMap(s -> entry(m, s, false))));
    }
    return Optional.of(known);
  }

  private boolean renditionKept(VerdictStore.Stored s) {
    return s.renditionId().isEmpty() || exists(filter.renditions(), s.renditionId().get());
  }

  /** Whether the original is in the quarantine store now, not only when the verdict was made. */
  private boolean secured(VerdictStore.Stored s) {
    return s.quarantineId().isPresent() && exists(filter.quarantine(), s.quarantineId().get());
  }

  private static boolean exists(QuarantineStore store, String id) {
    try {
      return store.show(id).isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Keeps an outcome: its rendition in the renditions store, then the verdict, so that no later
   * session fetches the message again. Closes the rendition spool.
   */
  Optional<MaildropEntry> remember(UpstreamListing.Message m, FilterOutcome outcome) {
    Optional<String> renditionId = Optional.empty();
    long delivered = outcome.originalSize();
    if (outcome.rendition().isPresent()) {
      try (Spool rendition = outcome.rendition().get()) {
        QuarantineMetadata meta =
            new QuarantineMetadata(
                account, null, 0, outcome.labels(), outcome.score(), List.of(), "", "", null);
        try (InputStream in = rendition.openStream()) {
          renditionId = Optional.of(filter.renditions().put(in, meta));
        }
        delivered = DotStuffer.deliveredSize(rendition);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    VerdictStore.Stored stored =
        new VerdictStore.Stored(
            outcome.action(),
            outcome.originalSha256(),
            outcome.originalSize(),
            outcome.quarantineId(),
            renditionId,
            delivered,
            outcome.labels(),
            outcome.score(),
            outcome.ruleId(),
            clock.instant());
    filter.verdicts().put(ref(m), stored);
    // The filter's outcome carries a quarantine id only once the original is durably stored.
    return entry(m, stored, stored.quarantineId().isPresent());
  }

  private VerdictStore.Stored released(VerdictStore.Stored s) {
    return new VerdictStore.Stored(
        FilterAction.ALLOW,
        s.originalSha256(),
        s.originalSize(),
        s.quarantineId(),
        Optional.empty(),
        s.originalSize(),
        s.labels(),
        s.score(),
        "release",
        clock.instant());
  }

  /**
   * The client's view of a verdict: withheld (empty), the rendition, or the original. A rendition
   * stands for an original the client never gets: DELE reaches the upstream only if {@code
   * secured}, the original being in the quarantine store.
   */
  private static Optional<MaildropEntry> entry(
      UpstreamListing.Message m, VerdictStore.Stored s, boolean secured) {
    if (s.action() == FilterAction.QUARANTINE) {
      return Optional.empty();
    }
    boolean deletable = s.renditionId().isEmpty() || secured;
    return Optional.of(
        new MaildropEntry(m.number(), m.uidl(), s.deliveredSize(), s.renditionId(), deletable));
  }
}
