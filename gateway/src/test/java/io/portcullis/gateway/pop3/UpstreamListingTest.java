package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** UIDL and LIST answers as the virtual maildrop accepts them (RFC 1939 §§5, 7). */
class UpstreamListingTest {
  /** The messages of a UIDL and a LIST answer's lines, as the maildrop builder joins them. */
  private static Optional<List<UpstreamListing.Message>> of(
      List<String> uidlLines, List<String> listLines) {
    return UpstreamListing.uidls(uidlLines).flatMap(u -> UpstreamListing.join(u, listLines));
  }

  @Test
  void ofShouldJoinUidlsAndSizesByMessageNumber() {
    assertThat(of(List.of("1 a1", "2 b2"), List.of("2 200", "1 100")))
        .contains(
            List.of(
                new UpstreamListing.Message(2, "b2", 200),
                new UpstreamListing.Message(1, "a1", 100)));
  }

  @Test
  void ofShouldAcceptInformationAfterTheSizeInList() {
    assertThat(of(List.of("1 a1"), List.of("1 100 extra"))).isPresent();
  }

  @Test
  void ofShouldRefuseListingsThatDisagree() {
    assertThat(of(List.of("1 a1", "2 b2"), List.of("1 100"))).isEmpty();
    assertThat(of(List.of("1 a1"), List.of("3 100"))).isEmpty();
    assertThat(of(List.of("1 a1", "1 b2"), List.of("1 100"))).isEmpty();
    assertThat(of(List.of("1 a1"), List.of("1 -5"))).isEmpty();
    assertThat(of(List.of("0 a1"), List.of("0 5"))).isEmpty();
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
