package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.portcullis.filter.io.Spool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's own upstream answers, split at every byte boundary (STYLE 12, THREATS P5). */
class AnswerCaptureTest {
  @TempDir Path dir;

  @Test
  void listingShouldBeTheSameWhereverTheAnswerIsSplit() {
    byte[] wire = ascii("+OK 2 messages\r\n1 uid-a\r\n2 uid-b\r\n.\r\n");
    for (int split = 0; split <= wire.length; split++) {
      AtomicReference<Optional<List<String>>> lines = new AtomicReference<>();
      ListingCapture capture = new ListingCapture(lines::set);
      capture.bytes(Unpooled.wrappedBuffer(wire, 0, split));
      capture.bytes(Unpooled.wrappedBuffer(wire, split, wire.length - split));
      capture.complete();
      assertThat(lines.get()).as("split at %d", split).contains(List.of("1 uid-a", "2 uid-b"));
    }
  }

  @Test
  void negativeOrCutOffListingShouldBeRefused() {
    AtomicReference<Optional<List<String>>> lines = new AtomicReference<>();
    ListingCapture negative = new ListingCapture(lines::set);
    negative.bytes(Unpooled.wrappedBuffer(ascii("-ERR no\r\n")));
    negative.complete();
    assertThat(lines.get()).isEmpty();
    ListingCapture cut = new ListingCapture(lines::set);
    cut.bytes(Unpooled.wrappedBuffer(ascii("+OK\r\n1 uid-a\r\n")));
    cut.complete();
    assertThat(lines.get()).isEmpty();
  }

  @Test
  void retrievedMessageShouldBeSpooledUnstuffedWhereverTheAnswerIsSplit() throws Exception {
    String message = "Subject: x\r\n\r\n.dot\r\n..two\r\nend\r\n";
    byte[] wire = ascii("+OK\r\n" + message.replaceAll("(?md)^\\.", "..") + ".\r\n");
    EmbeddedChannel upstream = new EmbeddedChannel();
    for (int split = 0; split <= wire.length; split++) {
      AtomicReference<CompletableFuture<Spool>> done = new AtomicReference<>();
      RetrCapture capture =
          new RetrCapture(new Spool(dir.resolve("s"), 1 << 20), upstream, Runnable::run, done::set);
      capture.bytes(Unpooled.wrappedBuffer(wire, 0, split));
      capture.bytes(Unpooled.wrappedBuffer(wire, split, wire.length - split));
      capture.complete();
      try (Spool spool = done.get().get();
          var in = spool.openStream()) {
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
            .as("split at %d", split)
            .isEqualTo(message);
      }
    }
  }

  @Test
  void negativeRetrShouldFailTheSpool() {
    AtomicReference<CompletableFuture<Spool>> done = new AtomicReference<>();
    RetrCapture capture =
        new RetrCapture(
            new Spool(dir.resolve("s"), 1 << 20), new EmbeddedChannel(), Runnable::run, done::set);
    capture.bytes(Unpooled.wrappedBuffer(ascii("-ERR no such message\r\n")));
    capture.complete();
    assertThat(done.get()).isCompletedExceptionally();
  }

  @Test
  void sizeShouldCountTheUnstuffedOctets() {
    AtomicReference<Long> size = new AtomicReference<>();
    SizeCapture capture = new SizeCapture(size::set);
    capture.bytes(Unpooled.wrappedBuffer(ascii("+OK 99 octets\r\n..a\r\nb\r\n.\r\n")));
    capture.complete();
    assertThat(size.get()).isEqualTo(7L); // ".a\r\nb\r\n"
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
