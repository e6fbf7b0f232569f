package io.portcullis.gateway.imap.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ResponseCodesTest {
  @Test
  void numberShouldBeReadFromTheCodeWhateverItsCase() {
    assertThat(ResponseCodes.number("* OK [UIDNEXT 4392] Predicted next UID", "UIDNEXT"))
        .isEqualTo(4392);
    assertThat(ResponseCodes.number("* ok [uidvalidity 3857529045] UIDs valid", "UIDVALIDITY"))
        .isEqualTo(3857529045L);
  }

  @Test
  void absentMalformedOrNegativeCodesShouldReadAsZero() {
    assertThat(ResponseCodes.number("* 172 EXISTS", "UIDNEXT")).isZero();
    assertThat(ResponseCodes.number("* OK [UIDNEXT x1] bad", "UIDNEXT")).isZero();
    assertThat(ResponseCodes.number("* OK [UIDNEXT -5] bad", "UIDNEXT")).isZero();
    assertThat(ResponseCodes.number("* OK [UIDNEXT 12 no bracket", "UIDNEXT")).isZero();
  }

  @Test
  void valueShouldBeTheCodesTextInTheOriginalCase() {
    assertThat(ResponseCodes.value("a OK [CAPABILITY IMAP4rev1 IDLE] Logged in", "CAPABILITY"))
        .contains("IMAP4rev1 IDLE");
    assertThat(ResponseCodes.value("* OK hi", "CAPABILITY")).isEmpty();
  }
}
