package io.portcullis.auth.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.auth.TestClock;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ThrottleTest {
  private final TestClock clock = TestClock.at(1_700_000_000);
  private final Throttle throttle =
      new Throttle(
          ThrottleSettings.DEFAULT,
          new CaffeineThrottleStore(ThrottleSettings.DEFAULT, clock.ticker()),
          clock);

  private static InetAddress ip(String address) throws Exception {
    return InetAddress.getByName(address);
  }

  private Throttle.Ticket admitted(Throttle.Admission admission) {
    assertThat(admission).isInstanceOf(Throttle.Admission.Admitted.class);
    return ((Throttle.Admission.Admitted) admission).ticket();
  }

  private Duration fail(String address, String user) throws Exception {
    return throttle.failed(admitted(throttle.admit(ip(address), user)));
  }

  @Test
  void failureDelaysShouldGrowTwoFourEightFifteenThenStayCapped() throws Exception {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Duration d = fail("192.0.2.1", "alice");
      delays.add(d);
      clock.advance(d);
    }
    assertThat(delays)
        .containsExactly(
            Duration.ofSeconds(2),
            Duration.ofSeconds(4),
            Duration.ofSeconds(8),
            Duration.ofSeconds(15),
            Duration.ofSeconds(15));
  }

  @Test
  void attemptBeforeTheDelayHasPassedShouldBeRefusedWithoutVerification() throws Exception {
    fail("192.0.2.1", "alice");
    clock.advance(Duration.ofSeconds(1));
    assertThat(throttle.admit(ip("192.0.2.1"), "alice"))
        .isEqualTo(new Throttle.Admission.Refused(Duration.ofSeconds(1), "throttled"));
  }

  @Test
  void parallelAttemptsFromOneSourceShouldNotBypassTheDelay() throws Exception {
    fail("192.0.2.1", "alice");
    clock.advance(Duration.ofSeconds(2));
    // Twenty connections race for the next slot: exactly one may verify.
    assertThat(raceAdmits("192.0.2.1", 20)).isEqualTo(1);
  }

  @Test
  void parallelAttemptsWithoutFailuresShouldBeCappedAtTheParallelLimit() throws Exception {
    assertThat(raceAdmits("192.0.2.1", 20)).isEqualTo(ThrottleSettings.DEFAULT.parallelAttempts());
  }

  private long raceAdmits(String address, int n) throws Exception {
    InetAddress source = ip(address);
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
      List<Future<Throttle.Admission>> results = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Callable<Throttle.Admission> task =
            () -> {
              start.await();
              return throttle.admit(source, "alice");
            };
        results.add(pool.submit(task));
      }
      start.countDown();
      long admitted = 0;
      for (Future<Throttle.Admission> f : results) {
        if (f.get() instanceof Throttle.Admission.Admitted) {
          admitted++;
        }
      }
      return admitted;
    }
  }

  @Test
  void successShouldResetTheSourceDelay() throws Exception {
    fail("192.0.2.1", "alice");
    clock.advance(Duration.ofSeconds(2));
    throttle.succeeded(admitted(throttle.admit(ip("192.0.2.1"), "alice")));
    assertThat(fail("192.0.2.1", "alice")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void sourceShouldBeBlockedAfterThirtyFailuresAndReleasedAfterTheBlock() throws Exception {
    for (int i = 0; i < 30; i++) {
      clock.advance(fail("192.0.2.1", "user" + i));
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.admit(ip("192.0.2.1"), "someone-else"))
        .isEqualTo(new Throttle.Admission.Refused(Duration.ofSeconds(15), "blocked"));
    clock.advance(Duration.ofMinutes(15));
    admitted(throttle.admit(ip("192.0.2.1"), "someone-else"));
  }

  @Test
  void userShouldBeBlockedOnTheAttackersNetworkOnly() throws Exception {
    for (int i = 0; i < 10; i++) {
      clock.advance(fail("198.51.100.7", "alice"));
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.admit(ip("198.51.100.7"), "alice"))
        .isInstanceOf(Throttle.Admission.Refused.class);
    // The same user from their own network is not affected.
    throttle.succeeded(admitted(throttle.admit(ip("203.0.113.5"), "alice")));
  }

  @Test
  void legitimateUserShouldStillLogInFromAKnownNetworkDuringADistributedAttack() throws Exception {
    throttle.succeeded(admitted(throttle.admit(ip("203.0.113.5"), "alice")));
    // A botnet: 100 failures for alice, each from a different network.
    for (int i = 0; i < 100; i++) {
      fail("10.0." + (i / 250) + "." + (i % 250 + 1), "alice");
    }
    clock.advance(Duration.ofMinutes(1));
    assertThat(throttle.admit(ip("10.9.9.9"), "alice"))
        .isEqualTo(new Throttle.Admission.Refused(Duration.ofSeconds(15), "blocked"));
    throttle.succeeded(admitted(throttle.admit(ip("203.0.113.5"), "alice")));
  }

  @Test
  void accountShouldBeBlockedAfterAtMostOneHundredConsecutiveFailures() throws Exception {
    for (int i = 0; i < 99; i++) {
      fail("10.1." + (i / 250) + "." + (i % 250 + 1), "bob");
    }
    admitted(throttle.admit(ip("10.2.0.1"), "bob")); // the 100th attempt may still be verified
    fail("10.2.0.2", "bob");
    assertThat(throttle.admit(ip("10.2.0.3"), "bob"))
        .isInstanceOf(Throttle.Admission.Refused.class);
  }

  @Test
  void ipv6AddressesInOneSlash64ShouldShareCountersAndOthersNot() throws Exception {
    fail("2001:db8:1:2::1", "alice");
    assertThat(throttle.admit(ip("2001:db8:1:2:ffff::9"), "carol"))
        .isInstanceOf(Throttle.Admission.Refused.class);
    admitted(throttle.admit(ip("2001:db8:1:3::1"), "carol"));
  }

  @Test
  void failuresShouldBeForgottenAfterAnHour() throws Exception {
    for (int i = 0; i < 4; i++) {
      clock.advance(fail("192.0.2.1", "alice"));
    }
    clock.advance(Duration.ofMinutes(61));
    assertThat(fail("192.0.2.1", "alice")).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void reportingATicketTwiceShouldCountOnce() throws Exception {
    Throttle.Ticket ticket = admitted(throttle.admit(ip("192.0.2.1"), "alice"));
    throttle.failed(ticket);
    assertThat(throttle.failed(ticket)).isZero();
    clock.advance(Duration.ofSeconds(2));
    assertThat(fail("192.0.2.1", "alice")).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void sourceNetworkShouldGroupByPrefix() throws Exception {
    assertThat(SourceNetwork.of(ip("2001:db8:1:2:3:4:5:6"), 32, 64))
        .isEqualTo("2001:db8:1:2:0:0:0:0/64");
    assertThat(SourceNetwork.of(ip("192.0.2.77"), 24, 64)).isEqualTo("192.0.2.0/24");
    assertThat(SourceNetwork.of(ip("::ffff:192.0.2.77"), 32, 64)).isEqualTo("192.0.2.77/32");
  }
}
