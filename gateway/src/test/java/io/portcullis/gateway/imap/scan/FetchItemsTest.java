package io.portcullis.gateway.imap.scan;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchItemsTest {
  @Test
  void parseReadsUidSizeFlagsAndDateWithoutRecent() {
    FetchItems f =
        FetchItems.parse(
                "3 FETCH (UID 17 RFC822.SIZE 1234 FLAGS (\\Seen \\Recent $Work)"
                    + " INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")")
            .orElseThrow();
    assertThat(f.uid()).isEqualTo(17);
    assertThat(f.size()).isEqualTo(1234);
    assertThat(f.flags()).containsExactly("\\Seen", "$Work");
    assertThat(f.internalDate()).isEqualTo("\"17-Jul-1996 02:44:25 -0700\"");
  }

  @Test
  void parseRefusesOtherResponsesAndMissingUid() {
    assertThat(FetchItems.parse("3 EXISTS")).isEmpty();
    assertThat(FetchItems.parse("3 FETCH (FLAGS (\\Seen))")).isEmpty();
  }
}
