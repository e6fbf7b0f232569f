package io.portcullis.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** The three workloads; each returns its results as one JSON object. Thread-safe (stateless). */
final class Workloads {
  private Workloads() {}

  /** Credentials of the bench account; the password is never printed. */
  record Account(String user, String password) {
    @Override
    public String toString() {
      return "Account[" + user + "]";
    }
  }

  /**
   * Login storm: {@code count} sessions, {@code concurrency} at a time, each connect → TLS →
   * greeting → login → (IMAP SELECT) → logout. Latency is per whole session.
   */
  static Json.Obj loginStorm(Target target, Account account, int count, int concurrency)
      throws InterruptedException {
    Latencies latencies = new Latencies();
    AtomicInteger tickets = new AtomicInteger(count);
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    long start = System.nanoTime();
    runOnVirtualThreads(
        concurrency,
        () -> {
          while (tickets.getAndDecrement() > 0) {
            long t0 = System.nanoTime();
            try (MailClient client = MailClient.open(target)) {
              client.login(account.user(), account.password());
              if (target.protocol() == Target.Protocol.IMAP) {
                client.select();
              }
              client.logout();
              latencies.record(System.nanoTime() - t0);
            } catch (IOException | RuntimeException e) {
              failed(errors, firstError, e);
            }
          }
        });
    double seconds = (System.nanoTime() - start) / 1e9;
    return result("login-storm", target, errors, firstError)
        .put("sessions", latencies.count())
        .put("concurrency", concurrency)
        .put("seconds", seconds)
        .put("perSecond", latencies.count() / seconds)
        .put("latencyMs", latencies.summary());
  }

  /**
   * Bulk fetch: {@code sessions} sessions, {@code concurrency} at a time, each downloading the
   * whole maildrop. Throughput counts message bytes only (the payload a user wanted). Each session
   * also reports its time to first byte: from before the TCP connect until the first message's
   * first content byte arrived (TLS, login, STAT or SELECT, the first RETR or FETCH), which is
   * where a gateway that scans before it shows shows its cost; and the part of it after the login
   * was answered (STAT or SELECT, the first RETR or FETCH), which leaves out the upstream login's
   * spread (Dovecot starts a process per session: ±5 ms) that filtering does not touch. Sessions
   * are listed in the order they started, so with concurrency 1 the first is the one that met an
   * unscanned mailbox. One unmeasured connection (greeting and QUIT/LOGOUT, no login, so nothing is
   * scanned) goes first, so that the first session does not also pay this process's own cold start
   * (class loading, the first TLS handshake: about 185 ms).
   */
  static Json.Obj bulkFetch(Target target, Account account, int sessions, int concurrency)
      throws InterruptedException {
    FetchSeries series = new FetchSeries("bulk-fetch", target, account, sessions, true);
    series.connectOnce();
    AtomicInteger tickets = new AtomicInteger(sessions);
    AtomicInteger started = new AtomicInteger();
    long start = System.nanoTime();
    runOnVirtualThreads(
        concurrency,
        () -> {
          while (tickets.getAndDecrement() > 0) {
            series.session(started.getAndIncrement());
          }
        });
    return series.result((System.nanoTime() - start) / 1e9).put("concurrency", concurrency);
  }

  /**
   * Paired fetch: the comparison of two gateways' time to first byte, one session at a time,
   * alternating between {@code target} and {@code baseline} (A B, B A, A B, …) so that whatever the
   * machine does meanwhile (either gateway's garbage collection, Dovecot's own work, a neighbour)
   * falls on both series alike, and session i of one is compared with session i of the other on a
   * mailbox in the same state (each on its own fresh copy: both first sessions meet mail nobody has
   * opened). Sessions fetch the first message only unless {@code allMessages}: the upstream login
   * spreads ±5 ms (Dovecot starts a process per session), so a median needs many sessions, and they
   * need not carry the whole mailbox each. The result is {@code target}'s, with {@code baseline}'s
   * under {@code "baseline"}; throughput counts each series' own session time.
   */
  static Json.Obj pairedFetch(
      Target target,
      Account account,
      Target baseline,
      Account baselineAccount,
      int sessions,
      boolean allMessages) {
    FetchSeries mine = new FetchSeries("paired-fetch", target, account, sessions, allMessages);
    FetchSeries theirs =
        new FetchSeries("paired-fetch", baseline, baselineAccount, sessions, allMessages);
    theirs.connectOnce();
    mine.connectOnce();
    for (int i = 0; i < sessions; i++) {
      FetchSeries first = i % 2 == 0 ? theirs : mine;
      first.session(i);
      (first == mine ? theirs : mine).session(i);
    }
    return mine.result(mine.busySeconds())
        .put("concurrency", 1)
        .put("baseline", theirs.result(theirs.busySeconds()));
  }

  /** What one bulk-fetch series measured, session by session. Thread-safe. */
  private static final class FetchSeries {
    private final String workload;
    private final boolean allMessages;
    private final Target target;
    private final Account account;
    private final Latencies perMessage = new Latencies();
    private final Latencies perSession = new Latencies();
    private final Latencies firstByte = new Latencies();
    private final AtomicInteger errors = new AtomicInteger();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong busyNanos = new AtomicLong();
    private final Json.Obj[] detail;

    FetchSeries(
        String workload, Target target, Account account, int sessions, boolean allMessages) {
      this.workload = workload;
      this.allMessages = allMessages;
      this.target = target;
      this.account = account;
      this.detail = new Json.Obj[sessions];
    }

    /** The unmeasured connection (greeting, QUIT/LOGOUT) that pays this process's cold start. */
    void connectOnce() {
      try (MailClient client = MailClient.open(target)) {
        client.logout();
      } catch (IOException | RuntimeException e) {
        failed(errors, firstError, e);
      }
    }

    /** Session number {@code index}: connect, log in, select, fetch, log out. */
    void session(int index) {
      long connect = System.nanoTime();
      try (MailClient client = MailClient.open(target)) {
        long greeted = System.nanoTime();
        client.login(account.user(), account.password());
        long loggedIn = System.nanoTime();
        int n = client.select();
        Latencies ownMessages = new Latencies();
        long t0 = System.nanoTime();
        MailClient.Fetched fetched =
            allMessages
                ? client.fetchAll(n, ownMessages)
                : n > 0 ? client.fetchFirst(ownMessages) : new MailClient.Fetched(0, 0);
        perSession.record(System.nanoTime() - t0);
        bytes.addAndGet(fetched.bytes());
        messages.addAndGet(n);
        ownMessages.copyTo(perMessage);
        double ttfbMs = Double.NaN;
        double afterLoginMs = Double.NaN;
        if (fetched.firstByteNanos() != 0) {
          firstByte.record(fetched.firstByteNanos() - connect);
          ttfbMs = (fetched.firstByteNanos() - connect) / 1e6;
          afterLoginMs = (fetched.firstByteNanos() - loggedIn) / 1e6;
        }
        synchronized (detail) {
          detail[index] =
              new Json.Obj()
                  .put("messages", n)
                  .put("ttfbMs", ttfbMs)
                  .put("greetingMs", (greeted - connect) / 1e6)
                  .put("loginMs", (loggedIn - greeted) / 1e6)
                  .put("afterLoginMs", afterLoginMs)
                  .put("messageP50Ms", ownMessages.percentileMillis(50));
        }
        client.logout();
      } catch (IOException | RuntimeException e) {
        failed(errors, firstError, e);
      } finally {
        busyNanos.addAndGet(System.nanoTime() - connect);
      }
    }

    double busySeconds() {
      return busyNanos.get() / 1e9;
    }

    Json.Obj result(double seconds) {
      List<Json.Obj> perSessionDetail = new ArrayList<>();
      synchronized (detail) {
        for (Json.Obj d : detail) {
          perSessionDetail.add(d != null ? d : new Json.Obj().put("failed", true));
        }
      }
      return Workloads.result(workload, target, errors, firstError)
          .put("user", account.user())
          .put("sessions", perSession.count())
          .put("messages", messages.get())
          .put("bytes", bytes.get())
          .put("seconds", seconds)
          .put("mbPerSecond", bytes.get() / 1e6 / seconds)
          .put("fetchMs", perSession.summary())
          .put(
              target.protocol() == Target.Protocol.POP3 ? "retrMs" : "literalMs",
              perMessage.summary())
          .put("ttfbMs", firstByte.summary())
          .put("perSession", perSessionDetail);
    }
  }

  /**
   * Idle fleet: {@code sessions} authenticated sessions opened {@code rampConcurrency} at a time
   * and held for {@code hold}; POP3 sessions send NOOP every {@code noopEvery}, IMAP sessions IDLE.
   * When all are up, {@code readyFile} (if any) receives the count, so the harness can read the
   * proxy's memory. After the hold, with {@code maildir} given, one message is delivered into it
   * and every IMAP session waits for its EXISTS: the time until the last one saw it is the
   * notification figure (POP3 cannot see new mail in a session: the maildrop is a snapshot).
   */
  static Json.Obj idleFleet(
      Target target,
      Account account,
      int sessions,
      int rampConcurrency,
      Duration hold,
      Duration noopEvery,
      Path readyFile,
      Path maildir,
      Duration notifyTimeout)
      throws InterruptedException, IOException {
    boolean imap = target.protocol() == Target.Protocol.IMAP;
    Semaphore ramp = new Semaphore(rampConcurrency);
    CountDownLatch up = new CountDownLatch(sessions);
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(sessions);
    AtomicLong deliveredAt = new AtomicLong();
    Latencies notify = new Latencies();
    AtomicInteger established = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    AtomicReference<String> firstError = new AtomicReference<>();
    Target longLived = target.withTimeout(hold.plus(notifyTimeout).plusSeconds(60));
    long start = System.nanoTime();
    AtomicLong rampNanos = new AtomicLong();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < sessions; i++) {
        threads.submit(
            () -> {
              MailClient client = null;
              try {
                ramp.acquire();
                int known;
                try {
                  client = MailClient.open(longLived);
                  client.login(account.user(), account.password());
                  known = client.select();
                  if (imap) {
                    client.startIdle();
                  }
                  established.incrementAndGet();
                } finally {
                  ramp.release();
                  up.countDown();
                }
                if (imap) {
                  client.awaitExists(known);
                  long at = deliveredAt.get();
                  if (at != 0) {
                    notify.record(System.nanoTime() - at);
                  }
                } else {
                  while (!release.await(noopEvery.toMillis(), TimeUnit.MILLISECONDS)) {
                    client.noop();
                  }
                }
                client.logout();
              } catch (IOException | RuntimeException e) {
                failed(errors, firstError, e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } finally {
                closeQuietly(client);
                ended.countDown();
              }
              return null;
            });
      }
      up.await();
      rampNanos.set(System.nanoTime() - start);
      if (readyFile != null) {
        Files.writeString(readyFile, established.get() + "\n", StandardCharsets.US_ASCII);
      }
      // Hold the fleet for the configured time, or less if every session has already ended.
      ended.await(hold.toMillis(), TimeUnit.MILLISECONDS);
      Path delivered = null;
      if (imap && maildir != null) {
        deliveredAt.set(System.nanoTime());
        delivered = deliver(maildir);
      }
      release.countDown();
      threads.shutdown();
      if (!threads.awaitTermination(notifyTimeout.toMillis() + 30_000, TimeUnit.MILLISECONDS)) {
        threads.shutdownNow();
      }
      if (delivered != null) {
        removeDelivered(maildir, delivered.getFileName().toString());
      }
    }
    return result("idle-fleet", target, errors, firstError)
        .put("sessions", established.get())
        .put("requested", sessions)
        .put("rampSeconds", rampNanos.get() / 1e9)
        .put("holdSeconds", hold.toSeconds())
        .put("notified", imap && maildir != null ? notify.count() : null)
        .put("notifyMs", imap && maildir != null ? notify.summary() : null);
  }

  /** Delivers one small message the Maildir way (tmp/ then an atomic rename into new/). */
  private static Path deliver(Path maildir) throws IOException {
    String name = "bench-notify-" + System.nanoTime() + ".loadgen";
    Path tmp = maildir.resolve("tmp").resolve(name);
    Files.writeString(
        tmp,
        "From: loadgen@bench.invalid\r\nTo: bench@bench.invalid\r\nSubject: idle fleet"
            + " notification\r\nMessage-ID: <"
            + name
            + "@bench.invalid>\r\n\r\nNew mail for the idle fleet.\r\n",
        StandardCharsets.US_ASCII);
    Path target = maildir.resolve("new").resolve(name);
    try {
      return Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      return Files.move(tmp, target);
    }
  }

  /** Keeps the maildrop at its generated content for the next run. */
  private static void removeDelivered(Path maildir, String name) throws IOException {
    for (String dir : List.of("new", "cur")) {
      try (DirectoryStream<Path> files =
          Files.newDirectoryStream(maildir.resolve(dir), name + "*")) {
        for (Path f : files) {
          Files.deleteIfExists(f);
        }
      }
    }
  }

  private static void runOnVirtualThreads(int concurrency, Runnable body)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>(concurrency);
    for (int i = 0; i < concurrency; i++) {
      threads.add(Thread.ofVirtual().name("loadgen-", i).start(body));
    }
    for (Thread t : threads) {
      t.join();
    }
  }

  private static Json.Obj result(
      String workload, Target target, AtomicInteger errors, AtomicReference<String> firstError) {
    return new Json.Obj()
        .put("workload", workload)
        .put("protocol", target.protocol().name().toLowerCase(java.util.Locale.ROOT))
        .put("port", target.address().getPort())
        .put("errors", errors.get())
        .put("firstError", firstError.get());
  }

  private static void failed(
      AtomicInteger errors, AtomicReference<String> firstError, Exception e) {
    errors.incrementAndGet();
    firstError.compareAndSet(null, e.getClass().getSimpleName() + ": " + e.getMessage());
  }

  private static void closeQuietly(MailClient client) {
    if (client != null) {
      try {
        client.close();
      } catch (IOException e) {
        // Closing a session that already failed: nothing left to report.
      }
    }
  }
}
