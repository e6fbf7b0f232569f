package io.portcullis.policy;

/**
 * An IPv4 or IPv6 prefix ({@code 10.0.0.0/8}, {@code 2001:db8::/32}) parsed without DNS and matched
 * against raw address bytes without allocating. Immutable.
 */
public record Cidr(byte[] network, int prefixLength) {

  /** Parses a CIDR; throws {@link IllegalArgumentException} with an operator-facing message. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addressText = slash < 0 ? text : text.substring(0, slash);
    byte[] address =
        addressText.indexOf(':') >= 0 ? parseIpv6(addressText) : parseIpv4(addressText);
    if (address == null) {
      throw new IllegalArgumentException("'" + text + "' is not an IPv4 or IPv6 address");
    }
    int bits = address.length * 8;
    int prefix = bits;
    if (slash >= 0) {
      String p = text.substring(slash + 1);
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("'" + text + "' has no valid prefix length");
      }
      prefix = Integer.parseInt(p);
      if (prefix > bits) {
        throw new IllegalArgumentException("'" + text + "' has a prefix length over " + bits);
      }
    }
    for (int i = prefix; i < bits; i++) {
      if ((address[i / 8] & (0x80 >>> (i % 8))) != 0) {
        // A set host bit is almost always a typo (10.1.2.3/8 meant 10.1.2.3/32 or 10.0.0.0/8).
        throw new IllegalArgumentException(
            "'" + text + "' has host bits set beyond the /" + prefix + " prefix");
      }
    }
    return new Cidr(address, prefix);
  }

  /** Whether the raw address (4 or 16 bytes, as {@code InetAddress.getAddress()}) is inside. */
  public boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int full = prefixLength / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int rest = prefixLength % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  /** Whether every address in {@code other} is inside this prefix. */
  boolean containsAll(Cidr other) {
    return other.network.length == network.length
        && other.prefixLength >= prefixLength
        && contains(other.network);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c
        && c.prefixLength == prefixLength
        && java.util.Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(network) * 31 + prefixLength;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (network.length == 4) {
      for (int i = 0; i < 4; i++) {
        b.append(i == 0 ? "" : ".").append(network[i] & 0xff);
      }
    } else {
      for (int i = 0; i < 16; i += 2) {
        b.append(i == 0 ? "" : ":")
            .append(Integer.toHexString(((network[i] & 0xff) << 8) | (network[i + 1] & 0xff)));
      }
    }
    return b.append('/').append(prefixLength).toString();
  }

  static byte[] parseIpv4(String s) {
    String[] parts = s.split("\\.", -1);
    if (parts.length != 4) {
      return null;
    }
    byte[] out = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      // Decimal only, no leading zeros: "010" is octal to some parsers and decimal to others.
      if (p.isEmpty()
          || p.length() > 3
          || (p.length() > 1 && p.charAt(0) == '0')
          || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return null;
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        return null;
      }
      out[i] = (byte) v;
    }
    return out;
  }

  static byte[] parseIpv6(String s) {
    if (s.indexOf('%') >= 0) {
      return null; // zone ids are meaningless in a policy
    }
    int doubleColon = s.indexOf("::");
    if (doubleColon >= 0 && s.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    String head = doubleColon >= 0 ? s.substring(0, doubleColon) : s;
    String tail = doubleColon >= 0 ? s.substring(doubleColon + 2) : "";
    if (doubleColon >= 0 && head.indexOf('.') >= 0) {
      return null; // an embedded IPv4 address may only end the address
    }
    int[] headWords = words(head);
    int[] tailWords = words(tail);
    if (headWords == null || tailWords == null) {
      return null;
    }
    int count = headWords.length + tailWords.length;
    if (doubleColon < 0 ? count != 8 : count > 7) {
      return null;
    }
    byte[] out = new byte[16];
    for (int i = 0; i < headWords.length; i++) {
      out[2 * i] = (byte) (headWords[i] >>> 8);
      out[2 * i + 1] = (byte) headWords[i];
    }
    int start = 8 - tailWords.length;
    for (int i = 0; i < tailWords.length; i++) {
      out[2 * (start + i)] = (byte) (tailWords[i] >>> 8);
      out[2 * (start + i) + 1] = (byte) tailWords[i];
    }
    return out;
  }

  /** 16-bit words of a colon-separated group; a trailing dotted quad counts as two words. */
  private static int[] words(String group) {
    if (group.isEmpty()) {
      return new int[0];
    }
    String[] parts = group.split(":", -1);
    int extra = parts[parts.length - 1].indexOf('.') >= 0 ? 1 : 0;
    int[] out = new int[parts.length + extra];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i];
      if (i == parts.length - 1 && extra == 1) {
        byte[] v4 = parseIpv4(p);
        if (v4 == null) {
          return null;
        }
        out[i] = ((v4[0] & 0xff) << 8) | (v4[1] & 0xff);
        out[i + 1] = ((v4[2] & 0xff) << 8) | (v4[3] & 0xff);
        continue;
      }
      if (p.isEmpty() || p.length() > 4) {
        return null;
      }
      int v = 0;
      for (int j = 0; j < p.length(); j++) {
        int d = Character.digit(p.charAt(j), 16);
        if (d < 0) {
          return null;
        }
        v = v * 16 + d;
      }
      out[i] = v;
    }
    return out;
  }
}
