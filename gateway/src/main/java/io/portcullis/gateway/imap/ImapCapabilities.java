package io.portcullis.gateway.imap;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the gateway advertises: its own list before login (RFC 9051 §6.1.1, RFC 2595 §3.2 for
 * LOGINDISABLED), and after login the upstream's list filtered to extensions whose framing the
 * relay carries — an allowlist, so an unknown extension is dropped rather than trusted. Stateless.
 */
final class ImapCapabilities {
  /** Dropped always: they change the connection's framing or authentication, or refer away. */
  private static final Set<String> NEVER =
      Set.of("STARTTLS", "LOGINDISABLED", "SASL-IR", "LOGIN-REFERRALS", "MAILBOX-REFERRALS");

  /**
   * Extensions that only add commands, responses or arguments framed as lines and literals, which
   * the relay carries byte for byte. Names ending in {@code =} allow any value.
   */
  private static final Set<String> CARRIED =
      Set.of(
          "IMAP4REV1",
          "IMAP4REV2",
          "LITERAL+",
          "LITERAL-",
          "IDLE",
          "MOVE",
          "UIDPLUS",
          "NAMESPACE",
          "ID",
          "ENABLE",
          "UNSELECT",
          "CHILDREN",
          "LIST-EXTENDED",
          "LIST-STATUS",
          "LIST-MYRIGHTS",
          "SPECIAL-USE",
          "CREATE-SPECIAL-USE",
          "ESEARCH",
          "SEARCHRES",
          "ESORT",
          "SORT",
          "SORT=DISPLAY",
          "THREAD=",
          "CONDSTORE",
          "QRESYNC",
          "QUOTA",
          "QUOTA=",
          "QUOTASET",
          "ACL",
          "RIGHTS=",
          "METADATA",
          "METADATA-SERVER",
          "BINARY",
          "CATENATE",
          "MULTIAPPEND",
          "APPENDLIMIT",
          "APPENDLIMIT=",
          "UTF8=ACCEPT",
          "WITHIN",
          "I18NLEVEL=",
          "LANGUAGE",
          "CONTEXT=SEARCH",
          "CONTEXT=SORT",
          "OBJECTID",
          "SAVEDATE",
          "STATUS=SIZE",
          "PREVIEW",
          "SNIPPET=",
          "FILTERS",
          "NOTIFY",
          "REPLACE",
          "PARTIAL",
          "INPROGRESS",
          "UIDONLY",
          "MESSAGELIMIT=",
          "SAVELIMIT=",
          "CONVERT",
          "XLIST",
          "X-GM-EXT-1");

  private ImapCapabilities() {}

  /**
   * The gateway's own list before login.
   *
   * @param loginAllowed TLS is active or the listener is plaintext: offer AUTH=, else LOGINDISABLED
   * @param canStartTls a STARTTLS listener before TLS
   * @param mechanisms the SASL mechanisms the login gate accepts for this session
   * @param passwordLogin whether LOGIN is accepted
   */
  static String beforeLogin(
      boolean loginAllowed, boolean canStartTls, List<String> mechanisms, boolean passwordLogin) {
    StringBuilder b = new StringBuilder("IMAP4rev1 SASL-IR LITERAL- ID");
    if (canStartTls) {
      b.append(" STARTTLS");
    }
    if (loginAllowed) {
      mechanisms.forEach(m -> b.append(" AUTH=").append(m));
    }
    if (!loginAllowed || !passwordLogin) {
      b.append(" LOGINDISABLED");
    }
    return b.toString();
  }

  /** The upstream's capabilities that survive filtering, in the upstream's order. */
  static List<String> filter(List<String> upstream) {
    List<String> kept = new ArrayList<>();
    for (String capability : upstream) {
      if (carried(capability) && !kept.contains(capability)) {
        kept.add(capability);
      }
    }
    if (kept.stream().noneMatch(c -> c.toUpperCase(Locale.ROOT).startsWith("IMAP4REV"))) {
      kept.add(0, "IMAP4rev1");
    }
    return kept;
  }

  /** Filters a space-separated list, as in {@code * CAPABILITY} or {@code [CAPABILITY …]}. */
  static String filter(String spaceSeparated) {
    return String.join(" ", filter(List.of(spaceSeparated.trim().split(" +"))));
  }

  static boolean carried(String capability) {
    String upper = capability.toUpperCase(Locale.ROOT);
    if (upper.isEmpty() || NEVER.contains(upper) || upper.startsWith("AUTH=")) {
      return false;
    }
    if (CARRIED.contains(upper)) {
      return true;
    }
    int eq = upper.indexOf('=');
    return eq > 0 && CARRIED.contains(upper.substring(0, eq + 1));
  }
}
