package io.portcullis.gateway.pop3;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The upstream maildrop as its UIDL and LIST answers describe it (RFC 1939 §§5, 7), checked before
 * anything of it reaches a client: unique ids in RFC 1939's printable range (which keeps CR, LF and
 * spaces out of the gateway's own answers), numbers that agree between the two. Stateless.
 */
final class UpstreamListing {
  /** RFC 1939 §7: a unique-id is 1 to 70 characters in the range 0x21 to 0x7E. */
  private static final int MAX_UIDL = 70;

  /** Sizes beyond 15 digits are not a message size. */
  private static final int MAX_SIZE_DIGITS = 15;

  /** A message in the upstream maildrop. */
  record Message(int number, String uidl, long size) {}

  private UpstreamListing() {}

  /** UIDL lines by message number, or empty if one does not parse. */
  static Optional<Map<Integer, String>> uidls(List<String> lines) {
    Map<Integer, String> out = new HashMap<>();
    for (String line : lines) {
      String[] parts = line.split(" ", -1);
      if (parts.length != 2 || !isUidl(parts[1])) {
        return Optional.empty();
      }
      int n = Pop3CommandParser.number(parts[0]);
      if (n < 1 || out.put(n, parts[1]) != null) {
        return Optional.empty();
      }
    }
    return Optional.of(out);
  }

  /** The messages of a LIST answer's lines named by {@code uidls}, or empty if they disagree. */
  static Optional<List<Message>> join(Map<Integer, String> uidls, List<String> lines) {
    List<Message> out = new ArrayList<>();
    for (String line : lines) {
      // RFC 1939 §5 lets a server add information after the size.
      String[] parts = line.split(" ");
      if (parts.length < 2) {
        return Optional.empty();
      }
      int n = Pop3CommandParser.number(parts[0]);
      long size = size(parts[1]);
      String uidl = uidls.get(n);
      if (n < 1 || size < 0 || uidl == null) {
        return Optional.empty();
      }
      out.add(new Message(n, uidl, size));
    }
    return out.size() == uidls.size() ? Optional.of(out) : Optional.empty();
  }

  private static long size(String s) {
    if (s.isEmpty() || s.length() > MAX_SIZE_DIGITS) {
      return -1;
    }
    long v = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  /** RFC 1939 §7 unique-id. */
  static boolean isUidl(String s) {
    if (s.isEmpty() || s.length() > MAX_UIDL) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }
}
