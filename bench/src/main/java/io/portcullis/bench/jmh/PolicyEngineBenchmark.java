package io.portcullis.bench.jmh;

import io.portcullis.policy.AccessDecision;
import io.portcullis.policy.FilterDecision;
import io.portcullis.policy.MessageFacts;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.PolicyLoader;
import io.portcullis.policy.SessionFacts;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Policy evaluation on the shipped example policy (examples/policy.yml, copied in at build time):
 * an access decision at login and a filter decision per message, over a mix of sessions that hit
 * early rules, late rules and the defaults.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PolicyEngineBenchmark {
  private PolicyEngine engine;
  private SessionFacts[] sessions;
  private MessageFacts[] messages;
  private int next;

  @Setup
  public void setUp() throws Exception {
    String yaml;
    try (InputStream in = getClass().getResourceAsStream("/examples/policy.yml")) {
      if (in == null) {
        throw new IOException("examples/policy.yml is not on the class path");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    engine = new PolicyEngine(PolicyLoader.parse("policy.yml", yaml));
    sessions =
        new SessionFacts[] {
          session("alice@corp.example", Set.of(), "198.51.100.20"), // falls through to defaults
          session("alice@corp.example", Set.of(), "10.20.3.4"),
          session("ceo@corp.example", Set.of("executives"), "10.20.0.9"),
          session("alice@corp.example", Set.of(), "2001:db8:99::7"),
        };
    messages =
        new MessageFacts[] {
          MessageFacts.clean(20_000),
          new MessageFacts(Set.of("spam"), 7, Set.of(), Set.of(), 20_000),
          new MessageFacts(Set.of(), 0, Set.of("archive"), Set.of("application/zip"), 20_000),
        };
  }

  private static SessionFacts session(String user, Set<String> groups, String source)
      throws IOException {
    return new SessionFacts(
        user,
        groups,
        InetAddress.getByName(source), // literals only: no lookup
        "imaps",
        "imap",
        Optional.of("TLSv1.3"),
        false,
        "PLAIN",
        Instant.parse("2026-01-05T10:00:00Z"));
  }

  @Benchmark
  public AccessDecision decideAccess() {
    return engine.decideAccess(sessions[next++ & 3]);
  }

  @Benchmark
  public FilterDecision decideMessage() {
    int i = next++;
    return engine.decideMessage(sessions[i & 3], messages[i % 3]);
  }
}
