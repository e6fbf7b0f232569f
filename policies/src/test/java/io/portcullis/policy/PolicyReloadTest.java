package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot reload as the gateway does it: load the file again and swap an {@link AtomicReference}.
 * Loading has no side effects, so sessions holding the old engine keep their decisions.
 */
class PolicyReloadTest {

  private static final String OFFICE_OFF =
      """
      version: 1
      networks: { office: [10.0.0.0/8] }
      defaults: { access: { decision: allow } }
      access:
        - id: office-v1
          match: { source: office }
          second-factor: "off"
      """;
  private static final String OFFICE_REQUIRED =
      OFFICE_OFF.replace("office-v1", "office-v2").replace("\"off\"", "required");

  @TempDir Path dir;

  @Test
  void sessionInProgressShouldKeepItsEngineAfterReload() throws Exception {
    Path file = dir.resolve("policy.yml");
    Files.writeString(file, OFFICE_OFF);
    AtomicReference<PolicyEngine> current =
        new AtomicReference<>(new PolicyEngine(PolicyLoader.load(file)));
    PolicyEngine inProgress = current.get();
    SessionFacts s = Sessions.session().source("10.1.1.1").build();

    Files.writeString(file, OFFICE_REQUIRED);
    current.set(new PolicyEngine(PolicyLoader.load(file)));

    assertThat(inProgress.decideAccess(s).secondFactor()).isEqualTo(SecondFactor.OFF);
    assertThat(current.get().decideAccess(s).secondFactor()).isEqualTo(SecondFactor.REQUIRED);
  }

  @Test
  void invalidReloadShouldLeaveThePreviousPolicyUsable() throws Exception {
    Path file = dir.resolve("policy.yml");
    Files.writeString(file, OFFICE_OFF);
    AtomicReference<PolicyEngine> current =
        new AtomicReference<>(new PolicyEngine(PolicyLoader.load(file)));
    Files.writeString(file, OFFICE_OFF.replace("source: office", "source: offcie"));
    assertThatThrownBy(() -> current.set(new PolicyEngine(PolicyLoader.load(file))))
        .isInstanceOf(PolicyException.class)
        .hasMessage(file + ":6:22: undefined network 'offcie' (declared: office)");
    assertThat(
            current.get().decideAccess(Sessions.session().source("10.1.1.1").build()).rule().id())
        .isEqualTo("office-v1");
  }

  @Test
  void evaluationsDuringReloadsShouldEachSeeOneWholePolicy() throws Exception {
    Policy v1 = PolicyLoader.parse("v1.yml", OFFICE_OFF);
    Policy v2 = PolicyLoader.parse("v2.yml", OFFICE_REQUIRED);
    AtomicReference<PolicyEngine> current = new AtomicReference<>(new PolicyEngine(v1));
    SessionFacts s = Sessions.session().source("10.1.1.1").build();
    Set<String> seen = ConcurrentHashMap.newKeySet();
    AtomicInteger mixed = new AtomicInteger();
    // Bounded work on platform threads: no spinning, no latch that a busy machine could starve.
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> readers = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        readers.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    AccessDecision d = current.get().decideAccess(s);
                    seen.add(d.rule().id());
                    SecondFactor expected =
                        d.rule().id().equals("office-v1")
                            ? SecondFactor.OFF
                            : SecondFactor.REQUIRED;
                    if (d.secondFactor() != expected) {
                      mixed.incrementAndGet();
                    }
                  }
                }));
      }
      for (int i = 0; !readers.stream().allMatch(Future::isDone); i++) {
        current.set(new PolicyEngine(i % 2 == 0 ? v2 : v1));
      }
      for (Future<?> f : readers) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(mixed).hasValue(0);
    assertThat(seen).isNotEmpty().isSubsetOf("office-v1", "office-v2");
  }
}
