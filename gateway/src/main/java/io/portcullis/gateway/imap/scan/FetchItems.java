package io.portcullis.gateway.imap.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The attributes of one untagged FETCH response that the scanner asks for (RFC 9051 §7.5.2): UID,
 * RFC822.SIZE, FLAGS, INTERNALDATE. Immutable.
 *
 * @param flags the flags as sent, without {@code \Recent} (which APPEND may not set)
 * @param internalDate the date-time as sent, quotes included, or empty
 */
record FetchItems(long uid, long size, List<String> flags, String internalDate) {
  FetchItems {
    flags = List.copyOf(flags);
  }

  /** Parses {@code n FETCH (...)} (the untagged text after {@code * }); empty if it is not one. */
  static Optional<FetchItems> parse(String untagged) {
    String upper = untagged.toUpperCase(Locale.ROOT);
    int fetch = upper.indexOf(" FETCH (");
    if (fetch <= 0 || !digits(untagged.substring(0, fetch))) {
      return Optional.empty();
    }
    long uid = number(untagged, upper, "UID ");
    if (uid <= 0) {
      return Optional.empty();
    }
    long size = number(untagged, upper, "RFC822.SIZE ");
    List<String> flags = new ArrayList<>();
    int f = upper.indexOf("FLAGS (");
    if (f >= 0) {
      int close = untagged.indexOf(')', f);
      if (close > f) {
        for (String flag : untagged.substring(f + "FLAGS (".length(), close).split(" ")) {
          if (!flag.isEmpty() && !flag.equalsIgnoreCase("\\Recent")) {
            flags.add(flag);
          }
        }
      }
    }
    String date = "";
    int d = upper.indexOf("INTERNALDATE \"");
    if (d >= 0) {
      int close = untagged.indexOf('"', d + "INTERNALDATE \"".length());
      if (close > d) {
        date = untagged.substring(d + "INTERNALDATE ".length(), close + 1);
      }
    }
    return Optional.of(new FetchItems(uid, size, flags, date));
  }

  private static long number(String text, String upper, String item) {
    int at = 0;
    while (true) {
      int i = upper.indexOf(item, at);
      if (i < 0) {
        return -1;
      }
      char before = i == 0 ? ' ' : upper.charAt(i - 1);
      if (before == ' ' || before == '(') {
        int start = i + item.length();
        int end = start;
        while (end < text.length() && Character.isDigit(text.charAt(end)) && end - start < 19) {
          end++;
        }
        return end > start ? Long.parseLong(text.substring(start, end)) : -1;
      }
      at = i + 1;
    }
  }

  private static boolean digits(String s) {
    return !s.isEmpty() && s.length() < 11 && s.chars().allMatch(Character::isDigit);
  }
}
