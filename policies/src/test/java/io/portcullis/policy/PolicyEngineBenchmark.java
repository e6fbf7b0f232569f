package io.portcullis.policy;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Set;

/**
 * A rough figure for the issue note, not a test (surefire does not run it): ns and bytes allocated
 * per evaluation of the shipped example policy. Run from the module directory with the test
 * classpath: {@code java -cp target/classes:target/test-classes:<snakeyaml.jar>
 * io.portcullis.policy.PolicyEngineBenchmark}.
 */
public final class PolicyEngineBenchmark {

  private PolicyEngineBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "../examples/policy.yml");
    PolicyEngine engine = new PolicyEngine(PolicyLoader.load(file));
    SessionFacts[] sessions = {
      Sessions.session().source("198.51.100.20").build(), // falls through to defaults
      Sessions.session().source("10.20.3.4").build(),
      Sessions.session().user("ceo@corp.example").groups("executives").source("10.20.0.9").build(),
      Sessions.session().source("2001:db8:99::7").build(),
    };
    MessageFacts[] messages = {
      MessageFacts.clean(20_000),
      new MessageFacts(Set.of("spam"), 7, Set.of(), Set.of(), 20_000),
      new MessageFacts(Set.of(), 0, Set.of("archive"), Set.of("application/zip"), 20_000),
    };
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long sink = 0;
    for (int round = 0; round < 5; round++) {
      int n = 2_000_000;
      long bytesBefore = threads.getCurrentThreadAllocatedBytes();
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        SessionFacts s = sessions[i & 3];
        sink += engine.decideAccess(s).mechanisms().size();
      }
      long accessNs = System.nanoTime() - start;
      long accessBytes = threads.getCurrentThreadAllocatedBytes() - bytesBefore;
      bytesBefore = threads.getCurrentThreadAllocatedBytes();
      start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        sink += engine.decideMessage(sessions[i & 3], messages[i % 3]).action().ordinal();
      }
      long messageNs = System.nanoTime() - start;
      long messageBytes = threads.getCurrentThreadAllocatedBytes() - bytesBefore;
      System.out.printf(
          "round %d: decideAccess %.0f ns, %.1f B/op; decideMessage %.0f ns, %.1f B/op%n",
          round,
          (double) accessNs / n,
          (double) accessBytes / n,
          (double) messageNs / n,
          (double) messageBytes / n);
    }
    System.out.println("(sink " + sink + ")");
  }
}
