package io.portcullis.auth.throttle;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/** Groups client addresses into networks: IPv4 by /32, IPv6 by /64 by default. Stateless. */
final class SourceNetwork {
  private SourceNetwork() {}

  /** {@code 192.0.2.7/32}, {@code 2001:db8:1:2:0:0:0:0/64}. */
  static String of(InetAddress address, int ipv4Prefix, int ipv6Prefix) {
    int prefix = address instanceof Inet4Address ? ipv4Prefix : ipv6Prefix;
    byte[] bytes = address.getAddress();
    for (int bit = prefix; bit < bytes.length * 8; bit++) {
      bytes[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    try {
      return InetAddress.getByAddress(bytes).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException("a 4 or 16 byte address is always valid", e);
    }
  }
}
