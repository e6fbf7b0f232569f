package io.portcullis.auth.totp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TotpSupportTest {
  @Test
  void base32ShouldMatchRfc4648TestVectors() {
    String[][] vectors = {
      {"", ""},
      {"f", "MY"},
      {"fo", "MZXQ"},
      {"foo", "MZXW6"},
      {"foob", "MZXW6YQ"},
      {"fooba", "MZXW6YTB"},
      {"foobar", "MZXW6YTBOI"}
    };
    for (String[] v : vectors) {
      assertThat(Base32.encode(v[0].getBytes(StandardCharsets.US_ASCII))).isEqualTo(v[1]);
      assertThat(new String(Base32.decode(v[1]), StandardCharsets.US_ASCII)).isEqualTo(v[0]);
    }
    assertThat(new String(Base32.decode("mzxw 6ytb oi======"), StandardCharsets.US_ASCII))
        .isEqualTo("foobar");
  }

  @Test
  void base32ShouldRejectCharactersOutsideTheAlphabet() {
    assertThatThrownBy(() -> Base32.decode("MZXW1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Base32.decode("MZXW6YT")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void otpauthUriShouldCarryEverySettingAndEncodeTheLabel() {
    String uri =
        OtpauthUri.build(
            "Portcullis Mail",
            "alice@example.com",
            "12345678901234567890".getBytes(StandardCharsets.US_ASCII),
            TotpParameters.DEFAULT);
    assertThat(uri)
        .isEqualTo(
            "otpauth://totp/Portcullis%20Mail:alice%40example.com?secret="
                + "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Portcullis%20Mail&algorithm=SHA1"
                + "&digits=6&period=30");
  }

  @Test
  void qrRendererShouldDrawASquareOfHalfBlocks() {
    String qr = QrTerminal.render("otpauth://totp/X:y?secret=GEZDGNBV");
    List<String> lines = qr.lines().toList();
    assertThat(lines).isNotEmpty();
    int width = lines.get(0).length();
    assertThat(lines).allMatch(l -> l.length() == width);
    assertThat(lines.size()).isEqualTo((width + 1) / 2);
    assertThat(qr).matches("(?s)[\u2588\u2580\u2584 \n]+").contains(" ");
  }

  @Test
  void recoveryCodesShouldBeTenDistinctEightyBitCodes() {
    List<String> codes = RecoveryCodes.generate(new SecureRandom());
    assertThat(codes).hasSize(10).allMatch(c -> RecoveryCodes.SUFFIX.matcher(c).matches());
    assertThat(new HashSet<>(codes)).hasSize(10);
  }

  @Test
  void recoveryCodeShouldMatchItsDigestIgnoringCaseAndDashesOnly() {
    List<String> codes = RecoveryCodes.generate(new SecureRandom());
    List<String> digests = codes.stream().map(RecoveryCodes::digest).toList();
    assertThat(digests).noneMatch(d -> codes.stream().anyMatch(d::contains));
    assertThat(RecoveryCodes.match(codes.get(3).toUpperCase(), digests)).contains(digests.get(3));
    assertThat(RecoveryCodes.match("aaaa-bbbb-cccc-dddd", digests)).isEmpty();
  }
}
