package io.portcullis.tls;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the directories of certificate and key files and calls back once per burst of changes
 * (debounced), so a renewal that rewrites chain and key, or swaps symlinks as certbot and
 * Kubernetes do, causes one reload. Thread-safe; one daemon thread blocks on the WatchService.
 */
final class CertificateWatcher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateWatcher.class);

  private final WatchService service;
  private final Runnable onChange;
  private final ScheduledExecutorService scheduler;
  private final Duration debounce;
  private final Thread thread;
  private ScheduledFuture<?> pending;

  CertificateWatcher(
      Set<Path> files, Runnable onChange, ScheduledExecutorService scheduler, Duration debounce)
      throws TlsException {
    this.onChange = onChange;
    this.scheduler = scheduler;
    this.debounce = debounce;
    Set<Path> directories = new LinkedHashSet<>();
    for (Path file : files) {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        directories.add(parent);
      }
    }
    try {
      service = FileSystems.getDefault().newWatchService();
      for (Path directory : directories) {
        directory.register(
            service,
            StandardWatchEventKinds.ENTRY_CREATE,
            StandardWatchEventKinds.ENTRY_MODIFY,
            StandardWatchEventKinds.ENTRY_DELETE);
      }
    } catch (IOException e) {
      throw new TlsException(
          "cannot watch certificate directories " + directories + " (" + e + ")", e);
    }
    thread = Thread.ofPlatform().daemon().name("portcullis-tls-watch").unstarted(this::run);
    thread.start();
  }

  private void run() {
    try {
      while (true) {
        WatchKey key = service.take();
        // Any change in the directory counts: symlink swaps (..data, live/) name other entries.
        key.pollEvents();
        key.reset();
        schedule();
      }
    } catch (InterruptedException | ClosedWatchServiceException e) {
      // close() was called.
    }
  }

  private synchronized void schedule() {
    if (pending != null) {
      pending.cancel(false);
    }
    try {
      pending = scheduler.schedule(onChange, debounce.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      LOG.debug("certificate change after shutdown ignored");
    }
  }

  @Override
  public void close() {
    try {
      service.close();
    } catch (IOException e) {
      LOG.debug("closing WatchService", e);
    }
    thread.interrupt();
  }
}
