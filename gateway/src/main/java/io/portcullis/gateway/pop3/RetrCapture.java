package io.portcullis.gateway.pop3;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.portcullis.filter.io.Spool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Receives the upstream's answer to a RETR the gateway sent itself and writes the message, un-dot-
 * stuffed, into a {@link Spool}. Spool writes may reach a file, so they run in order on {@code
 * blocking}, never on the event loop; the upstream stops being read while more than {@link
 * #HIGH_WATER} bytes wait. Hands over a future of the sealed spool, failed if the answer was
 * negative, cut off or could not be stored. Callbacks on the event loop.
 */
final class RetrCapture implements AnswerSink {
  static final int HIGH_WATER = 4 * 1024 * 1024;
  static final int LOW_WATER = 1024 * 1024;

  private final DotUnstuffer unstuffer = new DotUnstuffer();
  private final Spool spool;
  private final Channel upstream;
  private final Executor blocking;
  private final Consumer<CompletableFuture<Spool>> done;
  private final AtomicLong queued = new AtomicLong();
  private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
  private Boolean positive;

  /** The first spool write that failed; later chunks are dropped. Written on {@code blocking}. */
  private volatile Exception failure;

  RetrCapture(
      Spool spool, Channel upstream, Executor blocking, Consumer<CompletableFuture<Spool>> done) {
    this.spool = spool;
    this.upstream = upstream;
    this.blocking = blocking;
    this.done = done;
  }

  @Override
  public void bytes(ByteBuf slice) {
    try {
      if (positive == null && slice.isReadable()) {
        positive = slice.getByte(slice.readerIndex()) == '+';
      }
      if (!Boolean.TRUE.equals(positive)) {
        return;
      }
      byte[] chunk = unstuffer.feed(slice);
      if (chunk.length > 0) {
        write(chunk);
      }
    } finally {
      slice.release();
    }
  }

  private void write(byte[] chunk) {
    if (queued.addAndGet(chunk.length) > HIGH_WATER) {
      upstream.config().setAutoRead(false);
    }
    tail =
        tail.thenRunAsync(
            () -> {
              if (failure == null) {
                try {
                  spool.write(chunk);
                } catch (IOException | RuntimeException e) {
                  failure = e;
                }
              }
              if (queued.addAndGet(-chunk.length) < LOW_WATER) {
                upstream.eventLoop().execute(this::resumeReading);
              }
            },
            blocking);
  }

  private void resumeReading() {
    if (queued.get() < LOW_WATER && upstream.isActive() && !upstream.config().isAutoRead()) {
      upstream.config().setAutoRead(true);
    }
  }

  @Override
  public void complete() {
    if (!Boolean.TRUE.equals(positive) || !unstuffer.ended()) {
      abort();
      done.accept(CompletableFuture.failedFuture(new IOException("message not retrieved")));
      return;
    }
    CompletableFuture<Spool> ready = new CompletableFuture<>();
    tail.thenRunAsync(
            () -> {
              if (failure != null) {
                throw new UncheckedIOException(new IOException("spool write failed", failure));
              }
              try {
                spool.seal();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            blocking)
        .whenComplete(
            (ok, failure) -> {
              if (failure == null) {
                ready.complete(spool);
              } else {
                closeQuietly();
                ready.completeExceptionally(failure);
              }
            });
    done.accept(ready);
  }

  @Override
  public void abort() {
    tail.whenCompleteAsync((ok, failure) -> closeQuietly(), blocking);
  }

  private void closeQuietly() {
    try {
      spool.close();
    } catch (IOException e) {
      // A temp file left behind is removed with the scan directory; nothing to tell the client.
    }
  }
}
