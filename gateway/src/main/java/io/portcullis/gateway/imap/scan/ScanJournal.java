package io.portcullis.gateway.imap.scan;

import io.portcullis.gateway.filtering.StateStore;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scanner's durable state in the {@link StateStore}: the high-water mark per account, mailbox
 * and UIDVALIDITY ({@code imap-hwm}), a step journal per message being acted on ({@code
 * imap-journal}), the UIDs of renditions the gateway appended, which are not scanned again ({@code
 * imap-skip}), and where each quarantined original went ({@code imap-quarantined}, for release).
 * Thread-safe (the store is); blocking I/O.
 */
final class ScanJournal {
  static final String HWM = "imap-hwm";
  static final String JOURNAL = "imap-journal";
  static final String SKIP = "imap-skip";
  static final String QUARANTINED = "imap-quarantined";

  /** Where an upstream action stands; each is written durably before the next step starts. */
  enum Step {
    /** The action is decided; for a rendition, its nonce is chosen and nothing is changed yet. */
    PLANNED,
    /** The rendition is in the mailbox (its UID is in {@code imap-skip}). */
    APPENDED,
    /** The original is copied to its target (a move without MOVE); it is removed next. */
    COPIED
  }

  /**
   * One message's journal entry.
   *
   * @param target the mailbox the original goes to
   * @param nonce the value of the rendition's nonce header, or empty
   */
  record Entry(long uid, Step step, String target, String nonce) {
    Entry at(Step next) {
      return new Entry(uid, next, target, nonce);
    }
  }

  private final StateStore store;

  ScanJournal(StateStore store) {
    this.store = store;
  }

  /** The key of one mailbox incarnation: account, mailbox and UIDVALIDITY (RFC 9051 §2.3.1.1). */
  static String mailboxKey(String account, String mailbox, long uidValidity) {
    // Hashed: store keys stay short and free of the characters mailbox names may hold.
    try {
      byte[] d =
          java.security.MessageDigest.getInstance("SHA-256")
              .digest(bytes(account + "\n" + uidValidity + "\n" + mailbox));
      return java.util.HexFormat.of().formatHex(d, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  long mark(String box) {
    return store.get(HWM, box).map(v -> Long.parseLong(text(v))).orElse(0L);
  }

  void advance(String box, long uid) {
    if (uid > mark(box)) {
      store.put(HWM, box, bytes(Long.toString(uid)));
    }
  }

  /**
   * Forgets everything recorded for one mailbox incarnation (mark, skips, unfinished actions): the
   * server gave its UIDs out again, so none of it is about the messages now there.
   */
  void forget(String box) {
    store.delete(HWM, box);
    String prefix = box + "-";
    for (String ns : new String[] {SKIP, JOURNAL}) {
      for (String key : store.keys(ns)) {
        if (key.startsWith(prefix)) {
          store.delete(ns, key);
        }
      }
    }
  }

  void skip(String box, long uid) {
    store.put(SKIP, box + "-" + uid, bytes("rendition"));
  }

  /** Whether {@code uid} is a rendition or a moved copy that is not to be scanned again. */
  boolean isSkipped(String box, long uid) {
    return store.get(SKIP, box + "-" + uid).isPresent();
  }

  /** Forgets a skip record once the mark is durably past it. */
  void forgetSkip(String box, long uid) {
    store.delete(SKIP, box + "-" + uid);
  }

  void write(String box, Entry e) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("uid", Long.toString(e.uid()));
    m.put("step", e.step().name());
    m.put("target", e.target());
    m.put("nonce", e.nonce());
    store.put(JOURNAL, box + "-" + e.uid(), bytes(encode(m)));
  }

  void done(String box, long uid) {
    store.delete(JOURNAL, box + "-" + uid);
  }

  /** The unfinished actions in one mailbox incarnation, by UID. */
  List<Entry> open(String box) {
    String prefix = box + "-";
    return store.keys(JOURNAL).stream()
        .filter(k -> k.startsWith(prefix) && k.indexOf('-', prefix.length()) < 0)
        .map(k -> store.get(JOURNAL, k))
        .flatMap(Optional::stream)
        .map(v -> decode(text(v)))
        .map(
            m ->
                new Entry(
                    Long.parseLong(m.get("uid")),
                    Step.valueOf(m.get("step")),
                    m.getOrDefault("target", ""),
                    m.getOrDefault("nonce", "")))
        .sorted(java.util.Comparator.comparingLong(Entry::uid))
        .toList();
  }

  /** Remembers where a quarantined original went, for a later release. */
  void quarantined(String quarantineId, String mailbox, String quarantineMailbox, long uid) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("mailbox", mailbox);
    m.put("quarantine-mailbox", quarantineMailbox);
    m.put("uid", Long.toString(uid));
    store.put(QUARANTINED, quarantineId, bytes(encode(m)));
  }

  Optional<Map<String, String>> whereQuarantined(String quarantineId) {
    return store.get(QUARANTINED, quarantineId).map(v -> decode(text(v)));
  }

  void released(String quarantineId) {
    store.delete(QUARANTINED, quarantineId);
  }

  // Values are small line-oriented records; keys and values never contain a line break (mailbox
  // names are checked by the relay, nonces are hex).
  private static String encode(Map<String, String> m) {
    StringBuilder b = new StringBuilder();
    m.forEach((k, v) -> b.append(k).append('=').append(v.replace("\n", "")).append('\n'));
    return b.toString();
  }

  private static Map<String, String> decode(String text) {
    Map<String, String> m = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        m.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return m;
  }

  private static String text(byte[] v) {
    return new String(v, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
