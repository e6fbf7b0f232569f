package io.portcullis.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WireReaderAndLatenciesTest {

  /** Hands out at most one byte per read, so every buffer boundary is crossed. */
  private static InputStream trickle(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 1));
      }
    };
  }

  @Test
  void skipDotBodyShouldStopAtTerminatorAndLeaveTheNextAnswer() throws IOException {
    String body = "Subject: x\r\n\r\n..stuffed\r\n.\r\n";
    WireReader in = new WireReader(trickle("+OK 3 octets\r\n" + body + "+OK next\r\n"), 4);

    assertThat(in.readLine()).isEqualTo("+OK 3 octets");
    assertThat(in.skipDotBody()).isEqualTo(body.length());
    assertThat(in.readLine()).isEqualTo("+OK next");
  }

  @Test
  void skipShouldConsumeExactlyTheLiteralAcrossBuffers() throws IOException {
    WireReader in = new WireReader(trickle("* 1 FETCH (BODY[] {5}\r\nhello)\r\nb1 OK\r\n"), 3);

    assertThat(in.readLine()).endsWith("{5}");
    in.skip(5);
    assertThat(in.readLine()).isEqualTo(")");
    assertThat(in.readLine()).isEqualTo("b1 OK");
  }

  @Test
  void readLineShouldFailWhenTheServerHangsUpMidLine() {
    WireReader in = new WireReader(trickle("+OK trunc"), 8);

    assertThatThrownBy(in::readLine).isInstanceOf(EOFException.class);
  }

  @Test
  void percentilesShouldUseNearestRank() {
    Latencies l = new Latencies();
    for (int i = 1; i <= 100; i++) {
      l.record(i * 1_000_000L);
    }

    assertThat(l.percentileMillis(50)).isEqualTo(50.0);
    assertThat(l.percentileMillis(99)).isEqualTo(99.0);
    assertThat(l.percentileMillis(100)).isEqualTo(100.0);
  }
}
