package io.portcullis.gateway.imap;

import java.util.Locale;

/**
 * Rewrites the response code of an upstream status response (RFC 9051 §7.1): {@code [CAPABILITY …]}
 * is filtered like the CAPABILITY response, {@code [REFERRAL …]} (RFC 2221) is removed (THREATS
 * C6). Other responses pass unchanged. Stateless.
 */
final class ImapResponseCodes {
  private ImapResponseCodes() {}

  /**
   * @param tag {@code *} or the command tag
   * @param rest the response after the tag and its space
   */
  static String rewrite(String tag, String rest) {
    String upper = rest.toUpperCase(Locale.ROOT);
    int open = codeStart(upper);
    if (open < 0) {
      return tag + " " + rest;
    }
    int close = rest.indexOf(']', open);
    if (close < 0) {
      return tag + " " + rest;
    }
    String code = upper.substring(open + 1, close);
    String status = rest.substring(0, open);
    String after = rest.substring(close + 1);
    if (code.startsWith("REFERRAL")) {
      return tag + " " + status + after.stripLeading();
    }
    if (code.startsWith("CAPABILITY ")) {
      return tag
          + " "
          + status
          + "[CAPABILITY "
          + ImapCapabilities.filter(rest.substring(open + 1 + "CAPABILITY ".length(), close))
          + "]"
          + after;
    }
    return tag + " " + rest;
  }

  /** Index of the {@code [} of a status response's code, or -1. */
  private static int codeStart(String upper) {
    for (String status : new String[] {"OK [", "NO [", "BAD [", "BYE [", "PREAUTH ["}) {
      if (upper.startsWith(status)) {
        return status.length() - 1;
      }
    }
    return -1;
  }
}
