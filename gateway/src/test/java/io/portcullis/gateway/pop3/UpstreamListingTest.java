package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** UIDL and LIST answers as the virtual maildrop accepts them (RFC 1939 §§5, 7). */
class UpstreamListingTest {

  @Test
  void ofShouldJoinUidlsAndSizesByMessageNumber() {
    assertThat(UpstreamListing.of(List.of("1 a1", "2 b2"), List.of("2 200", "1 100")))
        .contains(
            List.of(
                new UpstreamListing.Message(2, "b2", 200),
                new UpstreamListing.Message(1, "a1", 100)));
  }

  @Test
  void ofShouldAcceptInformationAfterTheSizeInList() {
    assertThat(UpstreamListing.of(List.of("1 a1"), List.of("1 100 extra"))).isPresent();
  }

  @Test
  void ofShouldRefuseListingsThatDisagree() {
    assertThat(UpstreamListing.of(List.of("1 a1", "2 b2"), List.of("1 100"))).isEmpty();
    assertThat(UpstreamListing.of(List.of("1 a1"), List.of("3 100"))).isEmpty();
    assertThat(UpstreamListing.of(List.of("1 a1", "1 b2"), List.of("1 100"))).isEmpty();
    assertThat(UpstreamListing.of(List.of("1 a1"), List.of("1 -5"))).isEmpty();
    assertThat(UpstreamListing.of(List.of("0 a1"), List.of("0 5"))).isEmpty();
  }

  @Test
  void uidlInjectionWithControlCharactersOrSpacesShouldBeRefused() {
    assertThat(UpstreamListing.uidls(List.of("1 abc\rdef"))).isEmpty();
    assertThat(UpstreamListing.uidls(List.of("1 abc def"))).isEmpty();
    assertThat(UpstreamListing.uidls(List.of("1 abc\u0000"))).isEmpty();
    assertThat(UpstreamListing.uidls(List.of("1 " + "x".repeat(71)))).isEmpty();
    assertThat(UpstreamListing.uidls(List.of("1 " + "x".repeat(70)))).isPresent();
  }
}
