package io.portcullis.auth.password;

import io.portcullis.auth.Secret;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs password hashing off the caller's thread (never on a Netty event loop) with bounded
 * concurrency, so an attacker cannot multiply the memory and CPU cost of Argon2id: at most {@code
 * maxConcurrent} hashes run, at most {@code maxQueued} wait, the rest fail fast. Thread-safe.
 */
public final class PasswordHasher implements AutoCloseable {
  /** The outcome of a verification. */
  public record Verification(boolean matches, boolean needsRehash) {}

  /** Thrown (inside the future) when more than {@code maxQueued} hashes are already waiting. */
  public static final class BusyException extends RejectedExecutionException {
    BusyException() {
      super("password hashing queue is full");
    }
  }

  private final Argon2Cost cost;
  private final SecureRandom random = new SecureRandom();
  private final Semaphore running;
  private final int maxPending;
  private final AtomicInteger pending = new AtomicInteger();
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final String dummyHash;

  /**
   * @param cost the Argon2id cost for new hashes (and for the dummy hash unknown users pay)
   * @param maxConcurrent hashes computed at once, typically the number of cores
   * @param maxQueued hashes allowed to wait for a slot before new ones are refused
   */
  public PasswordHasher(Argon2Cost cost, int maxConcurrent, int maxQueued) {
    this.cost = Objects.requireNonNull(cost, "cost");
    if (maxConcurrent < 1 || maxQueued < 0) {
      throw new IllegalArgumentException("maxConcurrent must be >= 1 and maxQueued >= 0");
    }
    this.running = new Semaphore(maxConcurrent, true);
    this.maxPending = maxConcurrent + maxQueued;
    // A real hash of a random password at the current cost: verifying against it costs the same as
    // verifying a real user's hash, and it can never match (A2).
    byte[] unguessable = new byte[32];
    random.nextBytes(unguessable);
    this.dummyHash = PasswordHashes.hash(unguessable, cost, random);
  }

  /** One hasher with OWASP cost, as many concurrent hashes as cores, and 64 waiting. */
  public static PasswordHasher withDefaults() {
    return new PasswordHasher(Argon2Cost.OWASP, Runtime.getRuntime().availableProcessors(), 64);
  }

  public Argon2Cost cost() {
    return cost;
  }

  /** A new Argon2id PHC string for {@code password}. */
  public CompletableFuture<String> hash(Secret password) {
    return submit(bytes -> PasswordHashes.hash(bytes, cost, random), password);
  }

  /** Verifies {@code password} against {@code stored} (any supported scheme). */
  public CompletableFuture<Verification> verify(Secret password, String stored) {
    return submit(
        bytes -> {
          if (PasswordHashes.scheme(stored).isEmpty()) {
            // A damaged or unsupported entry must cost as much as a real one (A2).
            PasswordHashes.matches(bytes, dummyHash);
            return new Verification(false, false);
          }
          boolean matches = PasswordHashes.matches(bytes, stored);
          return new Verification(matches, matches && PasswordHashes.needsRehash(stored, cost));
        },
        password);
  }

  /** Pays the cost of one verification and fails: for unknown users, so timing does not tell. */
  public CompletableFuture<Verification> verifyDummy(Secret password) {
    return submit(
        bytes -> {
          PasswordHashes.matches(bytes, dummyHash);
          return new Verification(false, false);
        },
        password);
  }

  private <T> CompletableFuture<T> submit(Function<byte[], T> work, Secret password) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      return CompletableFuture.failedFuture(new BusyException());
    }
    // Encode now: the caller may destroy its Secret as soon as this returns.
    byte[] bytes = password.utf8();
    CompletableFuture<T> result = new CompletableFuture<>();
    try {
      executor.execute(
          () -> {
            try {
              running.acquire();
              try {
                result.complete(work.apply(bytes));
              } finally {
                running.release();
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              result.completeExceptionally(e);
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            } finally {
              Arrays.fill(bytes, (byte) 0);
              pending.decrementAndGet();
            }
          });
    } catch (RejectedExecutionException e) {
      pending.decrementAndGet();
      Arrays.fill(bytes, (byte) 0);
      result.completeExceptionally(e);
    }
    return result;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
