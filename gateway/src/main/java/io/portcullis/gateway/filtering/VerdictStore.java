package io.portcullis.gateway.filtering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.portcullis.policy.FilterAction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable verdicts per message, so that a restart or a second session does not rescan and every
 * session shows the same maildrop: a Caffeine cache in front of the {@link StateStore} (namespace
 * {@code verdicts}). Thread-safe; blocking I/O on a miss or a put, never on an event loop.
 */
public final class VerdictStore {
  private static final String NAMESPACE = "verdicts";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * A remembered outcome.
   *
   * @param action the action taken
   * @param originalSha256 the original's SHA-256 (lower-case hex)
   * @param originalSize the original's size in octets
   * @param quarantineId the original's quarantine entry, when it is in the store
   * @param renditionId the delivered rendition's id in the renditions store, when one was made
   * @param deliveredSize the octets the client receives (the rendition's or the original's size)
   * @param labels verdict label ids
   * @param score spam score
   * @param ruleId the rule that decided
   * @param at when it was decided
   */
  public record Stored(
      FilterAction action,
      String originalSha256,
      long originalSize,
      Optional<String> quarantineId,
      Optional<String> renditionId,
      long deliveredSize,
      List<String> labels,
      double score,
      String ruleId,
      Instant at) {
    public Stored {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(originalSha256, "originalSha256");
      Objects.requireNonNull(quarantineId, "quarantineId");
      Objects.requireNonNull(renditionId, "renditionId");
      labels = List.copyOf(labels);
      Objects.requireNonNull(ruleId, "ruleId");
      Objects.requireNonNull(at, "at");
    }
  }

  private final StateStore state;
  private final Cache<MessageRef, Optional<Stored>> cache =
      Caffeine.newBuilder().maximumSize(100_000).build();

  public VerdictStore(StateStore state) {
    this.state = state;
  }

  /** The verdict remembered for {@code ref}, if any. */
  public Optional<Stored> get(MessageRef ref) {
    return cache.get(ref, r -> state.get(NAMESPACE, key(r)).map(VerdictStore::decode));
  }

  /**
   * What {@link #get} would answer, if this process already knows it: empty when the verdict (or
   * its absence) is not in memory. Never blocks, so an event loop may ask.
   */
  public Optional<Optional<Stored>> cached(MessageRef ref) {
    return Optional.ofNullable(cache.getIfPresent(ref));
  }

  /** Remembers {@code verdict}; durable when this returns. */
  public void put(MessageRef ref, Stored verdict) {
    state.put(NAMESPACE, key(ref), encode(verdict));
    cache.put(ref, Optional.of(verdict));
  }

  /** Forgets the verdict for {@code ref} (the message will be scanned again when next seen). */
  public void remove(MessageRef ref) {
    state.delete(NAMESPACE, key(ref));
    cache.invalidate(ref);
  }

  private static String key(MessageRef ref) {
    return ref.account() + "\n" + ref.location();
  }

  private static byte[] encode(Stored v) {
    ObjectNode o = JSON.createObjectNode();
    o.put("action", v.action().yamlName());
    o.put("sha256", v.originalSha256());
    o.put("size", v.originalSize());
    v.quarantineId().ifPresent(id -> o.put("quarantine", id));
    v.renditionId().ifPresent(id -> o.put("rendition", id));
    o.put("delivered-size", v.deliveredSize());
    v.labels().forEach(o.putArray("labels")::add); // the receiver is evaluated once
    o.put("score", v.score());
    o.put("rule", v.ruleId());
    o.put("at", v.at().toString());
    try {
      return JSON.writeValueAsBytes(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Stored decode(byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      List<String> labels = new ArrayList<>();
      o.path("labels").forEach(l -> labels.add(l.asText()));
      return new Stored(
          action(o.path("action").asText()),
          o.path("sha256").asText(),
          o.path("size").asLong(),
          Optional.ofNullable(o.get("quarantine")).map(JsonNode::asText),
          Optional.ofNullable(o.get("rendition")).map(JsonNode::asText),
          o.path("delivered-size").asLong(),
          labels,
          o.path("score").asDouble(),
          o.path("rule").asText(),
          Instant.parse(o.path("at").asText()));
    } catch (IOException | RuntimeException e) {
      // A damaged record is treated as absent: the message is scanned again (fail closed).
      return null;
    }
  }

  private static FilterAction action(String name) {
    for (FilterAction a : FilterAction.values()) {
      if (a.yamlName().equals(name)) {
        return a;
      }
    }
    throw new IllegalArgumentException("unknown action " + name);
  }
}
