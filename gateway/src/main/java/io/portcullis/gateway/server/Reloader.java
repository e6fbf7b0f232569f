package io.portcullis.gateway.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Reloads files the gateway serves from (user directory, later policies) when they change or on
 * SIGHUP. Changes are found by polling size and modification time, which also sees symlink swaps
 * and works on network filesystems where file events do not arrive. A reload that fails keeps the
 * previous state: the action logs why. Thread-safe; one daemon thread.
 */
public final class Reloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Reloader.class);

  /** What to re-read, and how. The action must keep the old state if the new file is invalid. */
  private static final class Watched {
    final String name;
    final Path file;
    final Runnable action;
    String stamp;

    Watched(String name, Path file, Runnable action) {
      this.name = name;
      this.file = file;
      this.action = action;
      this.stamp = stamp(file);
    }
  }

  private final List<Watched> watched = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().daemon().name("portcullis-reload").unstarted(r));

  /** Starts polling every {@code interval} and, where the platform has it, listening for SIGHUP. */
  public Reloader(Duration interval) {
    long millis = interval.toMillis();
    scheduler.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
    try {
      Signal.handle(new Signal("HUP"), signal -> scheduler.execute(this::reloadAll));
    } catch (IllegalArgumentException e) {
      LOG.debug("SIGHUP is not available here; reloading on file changes only");
    }
  }

  /** Re-runs {@code action} whenever {@code file} changes. */
  public void watch(String name, Path file, Runnable action) {
    watched.add(new Watched(name, Objects.requireNonNull(file), Objects.requireNonNull(action)));
  }

  /** Reloads everything now (SIGHUP). */
  public void reloadAll() {
    for (Watched w : watched) {
      w.stamp = stamp(w.file);
      run(w);
    }
  }

  private void poll() {
    for (Watched w : watched) {
      String now = stamp(w.file);
      if (!now.equals(w.stamp)) {
        w.stamp = now;
        run(w);
      }
    }
  }

  private static void run(Watched w) {
    try {
      w.action.run();
      LOG.info("reloaded {} from {}", w.name, w.file);
    } catch (RuntimeException e) {
      LOG.error(
          "{} in {} is invalid, keeping the previous one: {}", w.name, w.file, e.getMessage());
    }
  }

  private static String stamp(Path file) {
    try {
      return Files.size(file) + "@" + Files.getLastModifiedTime(file).toMillis();
    } catch (NoSuchFileException e) {
      return "absent";
    } catch (IOException e) {
      return "unreadable";
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
