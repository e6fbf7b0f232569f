package io.portcullis.gateway.imap.scan;

import io.portcullis.gateway.imap.codec.ResponseCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The mailbox operations the scanner carries out upstream on its side connection, each leaving the
 * original somewhere at every instant: MOVE (RFC 6851) when advertised, else UID COPY, then {@code
 * \Deleted} and UID EXPUNGE (RFC 4315) — or with no UIDPLUS, COPY and {@code \Deleted} only, never
 * a bare EXPUNGE that could remove the client's own deleted messages. Not thread-safe.
 */
final class UpstreamMailboxes {
  private final SideConnection side;
  private final boolean move;
  private final boolean uidPlus;
  private String selected;
  private long uidValidity;
  private long uidNext;

  UpstreamMailboxes(SideConnection side, boolean move, boolean uidPlus) {
    this.side = side;
    this.move = move;
    this.uidPlus = uidPlus;
  }

  static UpstreamMailboxes of(SideConnection side) {
    return new UpstreamMailboxes(side, side.hasCapability("MOVE"), side.hasCapability("UIDPLUS"));
  }

  boolean canMove() {
    return move;
  }

  /**
   * SELECTs (again, so new arrivals are seen) and returns the UIDVALIDITY, or 0 when the upstream
   * refuses (no such mailbox: the client's own SELECT will be refused as well).
   */
  long select(String mailbox) throws IOException {
    SideConnection.Response r = side.command("SELECT " + quote(mailbox));
    if (!r.ok()) {
      selected = null;
      return 0;
    }
    long validity = 0;
    long next = 0;
    for (String u : r.untagged()) {
      validity = Math.max(validity, ResponseCodes.number(u, "UIDVALIDITY"));
      next = Math.max(next, ResponseCodes.number(u, "UIDNEXT"));
    }
    if (validity <= 0) {
      throw new IOException("no UIDVALIDITY");
    }
    selected = mailbox;
    uidValidity = validity;
    uidNext = next;
    return validity;
  }

  /**
   * Whether the selected mailbox may hold a message with a UID above {@code mark}: false only when
   * the SELECT's UIDNEXT (required by RFC 3501 §6.3.1, RFC 9051 §7.1) says no UID above it exists
   * yet.
   */
  boolean mayHoldAbove(long mark) {
    return uidNext == 0 || uidNext > mark + 1;
  }

  /** The UIDNEXT of the last SELECT, or 0 when the upstream left it out. */
  long uidNext() {
    return uidNext;
  }

  /** What STATUS says of a mailbox; a number the upstream left out is 0. */
  record Status(long uidValidity, long uidNext) {}

  /**
   * STATUS (UIDNEXT UIDVALIDITY) of a mailbox that is not selected here (RFC 9051 §6.3.11); null
   * when the upstream refuses it (no such mailbox).
   */
  Status status(String mailbox) throws IOException {
    SideConnection.Response r = side.command("STATUS " + quote(mailbox) + " (UIDNEXT UIDVALIDITY)");
    if (!r.ok()) {
      return null;
    }
    long validity = 0;
    long next = 0;
    for (String u : r.untagged()) {
      String upper = u.toUpperCase(Locale.ROOT);
      int list = upper.lastIndexOf('(');
      if (!upper.startsWith("STATUS ") || list < 0) {
        continue;
      }
      validity = Math.max(validity, listValue(upper, list, "UIDVALIDITY"));
      next = Math.max(next, listValue(upper, list, "UIDNEXT"));
    }
    if (validity <= 0) {
      throw new IOException("no UIDVALIDITY in STATUS");
    }
    return new Status(validity, next);
  }

  /** The number after {@code name} in a STATUS attribute list starting at {@code from}, or 0. */
  private static long listValue(String upper, int from, String name) {
    int i = upper.indexOf(name + " ", from);
    if (i < 0) {
      return 0;
    }
    int start = i + name.length() + 1;
    int end = start;
    while (end < upper.length() && Character.isDigit(upper.charAt(end))) {
      end++;
    }
    try {
      return end > start ? Long.parseLong(upper.substring(start, end)) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Leaves the selected mailbox without expunging (UNSELECT, RFC 3691, part of IMAP4rev2), so that
   * STATUS may be asked of it; without UNSELECT the mailbox stays selected (CLOSE would expunge).
   */
  void unselect() throws IOException {
    if (selected != null
        && (side.hasCapability("UNSELECT") || side.hasCapability("IMAP4rev2"))
        && side.command("UNSELECT").ok()) {
      selected = null;
    }
  }

  String selected() {
    return selected;
  }

  long uidValidity() {
    return uidValidity;
  }

  /** The messages with a UID above {@code mark}, in UID order. */
  java.util.List<FetchItems> above(long mark) throws IOException {
    SideConnection.Response r =
        side.command("UID FETCH " + (mark + 1) + ":* (UID RFC822.SIZE FLAGS INTERNALDATE)");
    if (!r.ok()) {
      throw new IOException("UID FETCH refused");
    }
    return r.untagged().stream()
        .map(FetchItems::parse)
        .flatMap(Optional::stream)
        .filter(f -> f.uid() > mark)
        .sorted(java.util.Comparator.comparingLong(FetchItems::uid))
        .toList();
  }

  /** Whether the message with this UID is still in the selected mailbox. */
  boolean exists(long uid) throws IOException {
    SideConnection.Response r = side.command("UID FETCH " + uid + " (UID)");
    return r.ok()
        && r.untagged().stream()
            .map(FetchItems::parse)
            .flatMap(Optional::stream)
            .anyMatch(f -> f.uid() == uid);
  }

  /** Fetches a message without setting {@code \Seen} (BODY.PEEK, RFC 9051 §6.4.5). */
  void fetchBody(long uid, java.io.OutputStream out) throws IOException {
    SideConnection.Response r = side.command("UID FETCH " + uid + " BODY.PEEK[]", out);
    if (!r.ok()) {
      throw new IOException("UID FETCH BODY refused");
    }
  }

  /**
   * Fetches several messages in one command (one round trip however far the upstream is), each into
   * the stream {@code bodies} gives for its UID; the UID must come before the body in each
   * response, as servers send it.
   */
  void fetchBodies(List<Long> uids, java.util.function.Function<Long, OutputStream> bodies)
      throws IOException {
    StringBuilder set = new StringBuilder();
    for (long uid : uids) {
      set.append(set.isEmpty() ? "" : ",").append(uid);
    }
    SideConnection.Response r =
        side.command(
            "UID FETCH " + set + " BODY.PEEK[]",
            (SideConnection.Bodies)
                line -> {
                  java.util.regex.Matcher m = UID_BEFORE_BODY.matcher(line);
                  OutputStream out = m.find() ? bodies.apply(Long.parseLong(m.group(1))) : null;
                  if (out == null) {
                    throw new IOException("FETCH body without a UID we asked for");
                  }
                  return out;
                });
    if (!r.ok()) {
      throw new IOException("UID FETCH BODY refused");
    }
  }

  private static final java.util.regex.Pattern UID_BEFORE_BODY =
      java.util.regex.Pattern.compile("(?i)^\\* \\d+ FETCH \\((?:[^\"{]*[ (])?UID (\\d{1,10})[ )]");

  void addFlags(long uid, String flags) throws IOException {
    SideConnection.Response r = side.command("UID STORE " + uid + " +FLAGS.SILENT (" + flags + ")");
    if (!r.ok()) {
      throw new IOException("UID STORE refused");
    }
  }

  /** The UID of the selected mailbox's message carrying {@code header: value}, if any. */
  Optional<Long> findByHeader(String header, String value) throws IOException {
    SideConnection.Response r = side.command("UID SEARCH HEADER " + header + " " + quote(value));
    if (!r.ok()) {
      throw new IOException("UID SEARCH refused");
    }
    for (String u : r.untagged()) {
      if (u.toUpperCase(Locale.ROOT).startsWith("SEARCH")) {
        String[] parts = u.trim().split(" +");
        if (parts.length > 1) {
          return Optional.of(Long.parseLong(parts[parts.length - 1]));
        }
      }
    }
    return Optional.empty();
  }

  /**
   * APPENDs {@code size} octets to {@code mailbox} with the original's flags and internal date;
   * returns the new UID when the upstream says it (APPENDUID, RFC 4315 §3).
   */
  Optional<Long> append(
      String mailbox, java.util.List<String> flags, String internalDate, long size, InputStream in)
      throws IOException {
    StringBuilder prefix = new StringBuilder("APPEND ").append(quote(mailbox));
    prefix.append(" (").append(String.join(" ", flags)).append(')');
    if (!internalDate.isEmpty()) {
      prefix.append(' ').append(internalDate);
    }
    SideConnection.Response r = side.append(prefix.toString(), size, in);
    if (!r.ok()) {
      throw new IOException("APPEND refused");
    }
    String[] code = r.code().split(" ");
    if (code.length == 3 && code[0].equalsIgnoreCase("APPENDUID")) {
      return Optional.of(Long.parseLong(code[2]));
    }
    return Optional.empty();
  }

  /** Step one of a move without MOVE: the copy. Returns where it went (COPYUID), if said. */
  Optional<Copied> copy(long uid, String target) throws IOException {
    SideConnection.Response r = side.command("UID COPY " + uid + " " + quote(target));
    if (!r.ok()) {
      throw new IOException("UID COPY refused");
    }
    return Copied.from(r);
  }

  /** Where a copied or moved message went: COPYUID (RFC 4315 §3). */
  record Copied(long uidValidity, long uid) {
    static Optional<Copied> from(SideConnection.Response r) {
      java.util.List<String> texts = new java.util.ArrayList<>(r.untagged());
      texts.add(r.status());
      for (String t : texts) {
        String upper = t.toUpperCase(Locale.ROOT);
        int i = upper.indexOf("[COPYUID ");
        if (i < 0) {
          continue;
        }
        int end = upper.indexOf(']', i);
        String[] parts = t.substring(i + "[COPYUID ".length(), end).trim().split(" +");
        if (parts.length == 3 && parts[2].chars().allMatch(Character::isDigit)) {
          return Optional.of(new Copied(Long.parseLong(parts[0]), Long.parseLong(parts[2])));
        }
      }
      return Optional.empty();
    }
  }

  /** Step two of a move without MOVE: the original goes, and only it (UID EXPUNGE). */
  void removeOriginal(long uid) throws IOException {
    addFlags(uid, "\\Deleted");
    if (uidPlus) {
      SideConnection.Response r = side.command("UID EXPUNGE " + uid);
      if (!r.ok()) {
        throw new IOException("UID EXPUNGE refused");
      }
    }
    // Without UIDPLUS the copy stays flagged \Deleted: an EXPUNGE would take the client's too.
  }

  Optional<Copied> move(long uid, String target) throws IOException {
    SideConnection.Response r = side.command("UID MOVE " + uid + " " + quote(target));
    if (!r.ok()) {
      throw new IOException("UID MOVE refused");
    }
    return Copied.from(r);
  }

  /**
   * The mailbox with the SPECIAL-USE attribute {@code \Junk} (RFC 6154), else the one named {@code
   * fallback} (created if absent).
   */
  String junkMailbox(String fallback) throws IOException {
    SideConnection.Response r = side.command("LIST \"\" \"*\"");
    String named = null;
    for (String u : r.untagged()) {
      Optional<ListEntry> e = ListEntry.parse(u);
      if (e.isEmpty()) {
        continue;
      }
      if (e.get().attributes().toUpperCase(Locale.ROOT).contains("\\JUNK")) {
        return e.get().name();
      }
      if (e.get().name().equalsIgnoreCase(fallback)) {
        named = e.get().name();
      }
    }
    if (named != null) {
      return named;
    }
    ensureExists(fallback);
    return fallback;
  }

  /** CREATEs a mailbox unless it exists (a NO for an existing one is fine). */
  void ensureExists(String mailbox) throws IOException {
    SideConnection.Response r = side.command("LIST \"\" " + quote(mailbox));
    boolean exists =
        r.untagged().stream()
            .map(ListEntry::parse)
            .flatMap(Optional::stream)
            .anyMatch(e -> e.name().equals(mailbox));
    if (!exists) {
      side.command("CREATE " + quote(mailbox));
    }
  }

  static String quote(String mailbox) {
    return SideConnection.quote(mailbox);
  }

  /** One {@code LIST} response: attributes, and the name with quoting undone. */
  record ListEntry(String attributes, String name) {
    static Optional<ListEntry> parse(String untagged) {
      if (!untagged.regionMatches(true, 0, "LIST (", 0, 6)) {
        return Optional.empty();
      }
      int close = untagged.indexOf(')');
      if (close < 0) {
        return Optional.empty();
      }
      String attributes = untagged.substring(6, close);
      String rest = untagged.substring(close + 1).trim();
      // delimiter: "x" or NIL
      int after;
      if (rest.startsWith("\"")) {
        int end = rest.charAt(1) == '\\' ? 4 : 3;
        after = end;
      } else if (rest.regionMatches(true, 0, "NIL", 0, 3)) {
        after = 3;
      } else {
        return Optional.empty();
      }
      if (after > rest.length()) {
        return Optional.empty();
      }
      String name = rest.substring(after).trim();
      return Optional.of(new ListEntry(attributes, unquote(name)));
    }
  }

  static String unquote(String s) {
    if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
      StringBuilder b = new StringBuilder(s.length());
      for (int i = 1; i < s.length() - 1; i++) {
        char c = s.charAt(i);
        if (c == '\\' && i + 1 < s.length() - 1) {
          c = s.charAt(++i);
        }
        b.append(c);
      }
      return b.toString();
    }
    return s;
  }
}
