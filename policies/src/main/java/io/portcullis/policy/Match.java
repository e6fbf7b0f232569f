package io.portcullis.policy;

import java.util.List;
import java.util.Set;

/**
 * The compiled {@code match} block of a rule: conditions ANDed, values within one condition ORed,
 * an absent condition matches everything. Evaluation walks arrays built at load time and does not
 * allocate. Immutable.
 */
final class Match {

  /** A condition on attachments: any attachment whose category or true type is listed. */
  static final class Attachments {
    private final Set<String> categories;
    private final Set<String> types;
    private final String[] categoryArray;
    private final String[] typeArray;

    Attachments(Set<String> categories, Set<String> types) {
      this.categories = Set.copyOf(categories);
      this.types = Set.copyOf(types);
      this.categoryArray = categories.toArray(String[]::new);
      this.typeArray = types.toArray(String[]::new);
    }

    Set<String> categories() {
      return categories;
    }

    Set<String> types() {
      return types;
    }

    /** Whether any attachment has a listed category or type; arrays, so no iterator is created. */
    boolean matches(MessageFacts m) {
      for (String c : categoryArray) {
        if (m.attachmentCategories().contains(c)) {
          return true;
        }
      }
      for (String t : typeArray) {
        if (m.attachmentTypes().contains(t)) {
          return true;
        }
      }
      return false;
    }

    boolean within(Attachments broader) {
      return broader.categories.containsAll(categories) && broader.types.containsAll(types);
    }
  }

  /** The conditions as declared; null means absent. */
  record Conditions(
      Set<String> users,
      Set<String> domains,
      List<Named.Group> groups,
      List<Named.Network> sources,
      Set<String> listeners,
      Set<String> protocols,
      Set<String> tlsVersions,
      Boolean clientCertificate,
      Set<Mechanism> mechanisms,
      List<Named.Window> times,
      Set<String> labels,
      Double minScore,
      Double maxScore,
      Attachments attachmentClasses,
      Attachments attachmentTypes,
      Long minSize,
      Long maxSize,
      Match not) {}

  static final Match ALL =
      new Match(
          new Conditions(
              null, null, null, null, null, null, null, null, null, null, null, null, null, null,
              null, null, null, null));

  private final Conditions c;
  private final String[] users;
  private final String[] domains;
  private final String[] groups;
  private final String[][] groupMembers;
  private final Cidr[] prefixes;
  private final String[] listeners;
  private final boolean imap;
  private final boolean pop3;
  private final String[] tlsVersions;
  private final boolean plaintext;
  private final boolean[] mechanisms;
  private final TimeWindow[] windows;
  private final String[] labels;
  private final double minScore;
  private final double maxScore;
  private final long minSize;
  private final long maxSize;

  Match(Conditions c) {
    this.c = c;
    users = array(c.users());
    domains = array(c.domains());
    groups =
        c.groups() == null
            ? null
            : c.groups().stream().map(Named.Group::name).toArray(String[]::new);
    groupMembers =
        c.groups() == null
            ? null
            : c.groups().stream()
                .map(g -> g.members().toArray(String[]::new))
                .toArray(String[][]::new);
    prefixes =
        c.sources() == null
            ? null
            : c.sources().stream().flatMap(n -> n.prefixes().stream()).toArray(Cidr[]::new);
    listeners = array(c.listeners());
    imap = c.protocols() == null || c.protocols().contains("imap");
    pop3 = c.protocols() == null || c.protocols().contains("pop3");
    tlsVersions =
        c.tlsVersions() == null
            ? null
            : c.tlsVersions().stream().filter(v -> !v.equals("none")).toArray(String[]::new);
    plaintext = c.tlsVersions() == null || c.tlsVersions().contains("none");
    if (c.mechanisms() == null) {
      mechanisms = null;
    } else {
      mechanisms = new boolean[Mechanism.values().length];
      c.mechanisms().forEach(m -> mechanisms[m.ordinal()] = true);
    }
    windows =
        c.times() == null
            ? null
            : c.times().stream().map(Named.Window::window).toArray(TimeWindow[]::new);
    labels = array(c.labels());
    minScore = c.minScore() == null ? Double.NEGATIVE_INFINITY : c.minScore();
    maxScore = c.maxScore() == null ? Double.POSITIVE_INFINITY : c.maxScore();
    minSize = c.minSize() == null ? Long.MIN_VALUE : c.minSize();
    maxSize = c.maxSize() == null ? Long.MAX_VALUE : c.maxSize();
  }

  private static String[] array(Set<String> values) {
    return values == null ? null : values.stream().sorted().toArray(String[]::new);
  }

  Conditions conditions() {
    return c;
  }

  boolean needsAddress() {
    return prefixes != null || (c.not() != null && c.not().needsAddress());
  }

  boolean hasMessageConditions() {
    return labels != null
        || c.minScore() != null
        || c.maxScore() != null
        || c.attachmentClasses() != null
        || c.attachmentTypes() != null
        || c.minSize() != null
        || c.maxSize() != null
        || (c.not() != null && c.not().hasMessageConditions());
  }

  /** Whether the labels condition names {@code label}. */
  boolean namesLabel(String label) {
    return c.labels() != null && c.labels().contains(label);
  }

  /**
   * Whether the session (and message, if given) matches.
   *
   * @param address the session's raw source address, or null if no rule needs it
   * @param mechanism the ordinal of the session's {@link Mechanism}, or -1 if unknown
   * @param m the message, or null when deciding for a session only
   */
  boolean matches(SessionFacts s, byte[] address, int mechanism, MessageFacts m) {
    String protocol = s.protocol();
    if (!(protocol.equals("imap") ? imap : pop3)) {
      return false;
    }
    if (users != null && !contains(users, s.user())) {
      return false;
    }
    if (domains != null && !inDomain(s.user())) {
      return false;
    }
    if (groups != null && !inGroup(s)) {
      return false;
    }
    if (prefixes != null && !inPrefixes(address)) {
      return false;
    }
    if (listeners != null && !contains(listeners, s.listener())) {
      return false;
    }
    if (tlsVersions != null || !plaintext) {
      if (s.tlsVersion().isEmpty() ? !plaintext : !contains(tlsVersions, s.tlsVersion().get())) {
        return false;
      }
    }
    if (c.clientCertificate() != null && c.clientCertificate() != s.clientCertificate()) {
      return false;
    }
    if (mechanisms != null && (mechanism < 0 || !mechanisms[mechanism])) {
      return false;
    }
    if (windows != null && !inWindow(s)) {
      return false;
    }
    if (m != null && !matchesMessage(m)) {
      return false;
    }
    return c.not() == null || !c.not().matches(s, address, mechanism, m);
  }

  private boolean matchesMessage(MessageFacts m) {
    if (labels != null) {
      boolean any = false;
      for (String l : labels) {
        if (m.labels().contains(l)) {
          any = true;
          break;
        }
      }
      if (!any) {
        return false;
      }
    }
    if (m.score() < minScore || m.score() >= maxScore) {
      return false;
    }
    if (m.size() < minSize || m.size() > maxSize) {
      return false;
    }
    if (c.attachmentClasses() != null && !c.attachmentClasses().matches(m)) {
      return false;
    }
    return c.attachmentTypes() == null || c.attachmentTypes().matches(m);
  }

  private static boolean contains(String[] values, String value) {
    for (String v : values) {
      if (v.equals(value)) {
        return true;
      }
    }
    return false;
  }

  private boolean inDomain(String user) {
    int at = user.lastIndexOf('@');
    if (at < 0) {
      return false;
    }
    int length = user.length() - at - 1;
    for (String d : domains) {
      if (d.length() == length && user.regionMatches(at + 1, d, 0, length)) {
        return true;
      }
    }
    return false;
  }

  private boolean inGroup(SessionFacts s) {
    for (int i = 0; i < groups.length; i++) {
      if (s.groups().contains(groups[i]) || contains(groupMembers[i], s.user())) {
        return true;
      }
    }
    return false;
  }

  private boolean inPrefixes(byte[] address) {
    for (Cidr p : prefixes) {
      if (p.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private boolean inWindow(SessionFacts s) {
    for (TimeWindow w : windows) {
      if (w.contains(s.time())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether everything this match accepts is also accepted by {@code broader}, judged condition by
   * condition (sound, not complete: false when it cannot tell). Used to find unreachable rules.
   */
  boolean within(Match broader) {
    Conditions b = broader.c;
    if (b.not() != null) {
      return false; // a negation cannot be compared cheaply; never call a rule shadowed by one
    }
    return subset(c.users(), b.users())
        && usersWithinDomains(b)
        && namesWithin(c.groups(), b.groups(), Named.Group::name)
        && networksWithin(b)
        && subset(c.listeners(), b.listeners())
        && subset(c.protocols(), b.protocols())
        && subset(c.tlsVersions(), b.tlsVersions())
        && (b.clientCertificate() == null || b.clientCertificate().equals(c.clientCertificate()))
        && subset(c.mechanisms(), b.mechanisms())
        && namesWithin(c.times(), b.times(), w -> w.window().name())
        && subset(c.labels(), b.labels())
        && minScore >= broader.minScore
        && maxScore <= broader.maxScore
        && minSize >= broader.minSize
        && maxSize <= broader.maxSize
        && attachmentsWithin(c.attachmentClasses(), b.attachmentClasses())
        && attachmentsWithin(c.attachmentTypes(), b.attachmentTypes());
  }

  private static <T> boolean subset(Set<T> narrow, Set<T> broad) {
    return broad == null || (narrow != null && broad.containsAll(narrow));
  }

  private boolean usersWithinDomains(Conditions b) {
    if (b.domains() == null) {
      return true;
    }
    if (c.domains() != null) {
      return b.domains().containsAll(c.domains());
    }
    return c.users() != null
        && c.users().stream()
            .allMatch(
                u ->
                    u.lastIndexOf('@') >= 0
                        && b.domains().contains(u.substring(u.lastIndexOf('@') + 1)));
  }

  private static <T> boolean namesWithin(
      List<T> narrow, List<T> broad, java.util.function.Function<T, String> name) {
    return broad == null
        || (narrow != null
            && broad.stream().map(name).toList().containsAll(narrow.stream().map(name).toList()));
  }

  private boolean networksWithin(Conditions b) {
    if (b.sources() == null) {
      return true;
    }
    if (prefixes == null) {
      return false;
    }
    Cidr[] broad = b.sources().stream().flatMap(n -> n.prefixes().stream()).toArray(Cidr[]::new);
    for (Cidr p : prefixes) {
      boolean covered = false;
      for (Cidr q : broad) {
        covered |= q.containsAll(p);
      }
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  private static boolean attachmentsWithin(Attachments narrow, Attachments broad) {
    return broad == null || (narrow != null && narrow.within(broad));
  }
}
