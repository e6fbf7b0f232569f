package io.portcullis.auth.password;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {
  private static final Argon2Cost FAST = new Argon2Cost(1024, 1, 1);

  @Test
  void hashThenVerifyShouldMatchWithoutRehash() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(FAST, 2, 8)) {
      String phc = hasher.hash(Secret.of("s3cret")).get(10, TimeUnit.SECONDS);
      assertThat(hasher.verify(Secret.of("s3cret"), phc).get(10, TimeUnit.SECONDS))
          .isEqualTo(new PasswordHasher.Verification(true, false));
      assertThat(hasher.verify(Secret.of("wrong"), phc).get(10, TimeUnit.SECONDS))
          .isEqualTo(new PasswordHasher.Verification(false, false));
    }
  }

  @Test
  void importedHashShouldAskForRehashAfterSuccessfulVerification() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(FAST, 1, 1)) {
      String sha512 =
          "{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1";
      assertThat(hasher.verify(Secret.of("Hello world!"), sha512).get(10, TimeUnit.SECONDS))
          .isEqualTo(new PasswordHasher.Verification(true, true));
    }
  }

  @Test
  void dummyVerificationShouldNeverMatch() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(FAST, 1, 1)) {
      assertThat(hasher.verifyDummy(Secret.of("")).get(10, TimeUnit.SECONDS).matches()).isFalse();
    }
  }

  @Test
  void verifyShouldReturnBeforeTheHashIsComputed() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(new Argon2Cost(32 * 1024, 2, 1), 1, 4)) {
      CompletableFuture<PasswordHasher.Verification> busy = hasher.verifyDummy(Secret.of("x"));
      // The only slot is taken for hundreds of milliseconds: a caller that computed the hash
      // itself could not return an unfinished future.
      CompletableFuture<PasswordHasher.Verification> queued = hasher.verifyDummy(Secret.of("y"));
      assertThat(queued).isNotDone();
      assertThat(queued.get(20, TimeUnit.SECONDS).matches()).isFalse();
      // Either may take the slot first (the semaphore is not fair); both must finish.
      assertThat(busy.get(20, TimeUnit.SECONDS).matches()).isFalse();
    }
  }

  @Test
  void floodBeyondQueueShouldBeRefusedInsteadOfQueuedWithoutBound() {
    // A slow cost so that the first two are still pending while the rest arrive.
    try (PasswordHasher hasher = new PasswordHasher(new Argon2Cost(32 * 1024, 2, 1), 1, 1)) {
      List<CompletableFuture<PasswordHasher.Verification>> futures = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        futures.add(hasher.verifyDummy(Secret.of("x")));
      }
      long refused =
          futures.stream()
              .filter(f -> f.isCompletedExceptionally())
              .filter(
                  f -> {
                    try {
                      f.join();
                      return false;
                    } catch (CompletionException e) {
                      return e.getCause() instanceof PasswordHasher.BusyException;
                    }
                  })
              .count();
      assertThat(refused).isGreaterThanOrEqualTo(8);
    }
  }

  @Test
  void callerMayDestroyItsSecretRightAfterSubmitting() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(FAST, 1, 1)) {
      String phc = hasher.hash(Secret.of("pw")).get(10, TimeUnit.SECONDS);
      Secret secret = Secret.of("pw");
      CompletableFuture<PasswordHasher.Verification> f = hasher.verify(secret, phc);
      secret.destroy();
      assertThat(f.get(10, TimeUnit.SECONDS).matches()).isTrue();
    }
  }

  @Test
  void damagedStoredHashShouldFailAfterPayingTheSameCost() throws Exception {
    try (PasswordHasher hasher = new PasswordHasher(new Argon2Cost(32 * 1024, 2, 1), 1, 4)) {
      CompletableFuture<PasswordHasher.Verification> busy = hasher.verifyDummy(Secret.of("x"));
      CompletableFuture<PasswordHasher.Verification> damaged =
          hasher.verify(Secret.of("pw"), "{PLAIN}pw");
      assertThat(damaged).isNotDone();
      assertThat(damaged.get(20, TimeUnit.SECONDS))
          .isEqualTo(new PasswordHasher.Verification(false, false));
      busy.join();
    }
  }
}
