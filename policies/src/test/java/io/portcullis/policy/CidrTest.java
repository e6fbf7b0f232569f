package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CidrTest {

  @ParameterizedTest(name = "{0} contains {1}: {2}")
  @CsvSource({
    "10.0.0.0/8, 10.255.255.255, true",
    "10.0.0.0/8, 11.0.0.0, false",
    "192.168.1.0/25, 192.168.1.127, true",
    "192.168.1.0/25, 192.168.1.128, false",
    "0.0.0.0/0, 203.0.113.9, true",
    "203.0.113.9, 203.0.113.9, true",
    "203.0.113.9/32, 203.0.113.8, false",
    "2001:db8::/32, 2001:db8:ffff::1, true",
    "2001:db8::/32, 2001:db9::1, false",
    "2001:db8:1:2::/63, 2001:db8:1:3::, true",
    "2001:db8:1:2::/63, 2001:db8:1:4::, false",
    "::/0, ::1, true",
    "::1, ::1, true",
    "'::ffff:0:0/96', '::ffff:10.0.0.1', false", // the JDK turns mapped addresses into IPv4
    "10.0.0.0/8, ::a00:1, false",
    "'2001:db8::10.0.0.0/120', '2001:db8::10.0.0.255', true",
  })
  void containsShouldMatchAddressesInsideThePrefixOnly(String cidr, String address, boolean inside)
      throws Exception {
    assertThat(Cidr.parse(cidr).contains(InetAddress.getByName(address).getAddress()))
        .isEqualTo(inside);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.1/8|'10.0.0.1/8' has host bits set beyond the /8 prefix",
        "10.0.0.0/33|'10.0.0.0/33' has a prefix length over 32",
        "10.0.0.0/|'10.0.0.0/' has no valid prefix length",
        "10.0.0.0/-1|'10.0.0.0/-1' has no valid prefix length",
        "010.0.0.0/8|'010.0.0.0/8' is not an IPv4 or IPv6 address",
        "10.0.0/8|'10.0.0/8' is not an IPv4 or IPv6 address",
        "256.0.0.0/8|'256.0.0.0/8' is not an IPv4 or IPv6 address",
        "2001:db8::1::/64|'2001:db8::1::/64' is not an IPv4 or IPv6 address",
        "2001:db8:0:0:0:0:0:0:1|'2001:db8:0:0:0:0:0:0:1' is not an IPv4 or IPv6 address",
        "fe80::1%eth0|'fe80::1%eth0' is not an IPv4 or IPv6 address",
        "1.2.3.4::/64|'1.2.3.4::/64' is not an IPv4 or IPv6 address",
        "corp.example/24|'corp.example/24' is not an IPv4 or IPv6 address",
      })
  void parseShouldRejectMalformedPrefixes(String cidr, String message) {
    assertThatThrownBy(() -> Cidr.parse(cidr)).hasMessage(message);
  }

  @ParameterizedTest(name = "{0} within {1}: {2}")
  @CsvSource({
    "10.5.0.0/16, 10.0.0.0/8, true",
    "10.0.0.0/8, 10.5.0.0/16, false",
    "10.0.0.0/8, 10.0.0.0/8, true",
    "11.0.0.0/16, 10.0.0.0/8, false",
    "2001:db8:1::/48, 2001:db8::/32, true",
    "10.0.0.0/8, ::/0, false",
  })
  void containsAllShouldCompareWholePrefixes(String narrow, String broad, boolean within) {
    assertThat(Cidr.parse(broad).containsAll(Cidr.parse(narrow))).isEqualTo(within);
  }
}
