package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCommandsTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private final PolicyCommands commands =
      new PolicyCommands(
          new PrintWriter(out),
          new PrintWriter(err),
          Clock.fixed(Instant.parse("2026-01-05T10:00:00Z"), ZoneOffset.UTC));

  @TempDir Path dir;

  @Test
  void checkShouldExitZeroAndPrintWarningsForAValidPolicy() throws Exception {
    Path file = dir.resolve("p.yml");
    Files.writeString(
        file,
        """
        version: 1
        networks:
          unused: [10.0.0.0/8]
        defaults:
          access: { decision: allow }
        """);
    assertThat(commands.check(file)).isEqualTo(PolicyCommands.OK);
    assertThat(out.toString())
        .isEqualTo(
            file
                + ":3:3: warning: network unused is declared but no rule uses it\n"
                + file
                + ": valid (0 access, 0 routing, 0 scanning, 0 filtering rules; 1 warning)\n");
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void checkShouldExitNonZeroAndPrintErrorsForAnInvalidPolicy() throws Exception {
    Path file = dir.resolve("p.yml");
    Files.writeString(file, "version: 2\n");
    assertThat(commands.check(file)).isEqualTo(PolicyCommands.FAILED);
    assertThat(err.toString())
        .isEqualTo(
            file
                + ":1:1: warning: no defaults.access: sessions that no access rule matches are"
                + " allowed by the built-in default\n"
                + file
                + ":1:10: unsupported version '2' (this language is version 1)\n");
  }

  @Test
  void checkShouldRefuseAFileThatIsNotUtf8() throws Exception {
    Path file = dir.resolve("p.yml");
    Files.write(file, new byte[] {'v', (byte) 0xC3, '\n'});
    assertThat(commands.check(file)).isEqualTo(PolicyCommands.FAILED);
    assertThat(err.toString()).isEqualTo(file + ":1:1: policy file is not valid UTF-8\n");
  }

  @Test
  void checkShouldRefuseAnOversizedFileBeforeParsingIt() throws Exception {
    Path file = dir.resolve("p.yml");
    Files.write(file, new byte[PolicyLoader.MAX_POLICY_BYTES + 1]);
    assertThat(commands.check(file)).isEqualTo(PolicyCommands.FAILED);
    assertThat(err.toString()).isEqualTo(file + ":1:1: policy file is larger than 1048576 bytes\n");
  }

  @Test
  void explainShouldNameTheRuleAndMonitorHitsOfEachDecision() {
    int code =
        commands.explain(
            Optional.of(Path.of("..", "examples", "policy.yml")),
            new PolicyCommands.ExplainRequest(
                "jane@contractor.example",
                "10.99.0.5",
                "imap",
                null,
                List.of("contractors"),
                null,
                null,
                false,
                Instant.parse("2026-01-10T11:00:00Z"),
                List.of("spam")),
            Optional.empty());
    assertThat(code).isEqualTo(PolicyCommands.OK);
    String policy = Path.of("..", "examples", "policy.yml").toString();
    assertThat(out.toString())
        .isEqualTo(
            "policy: "
                + policy
                + "\n"
                + "session: user jane@contractor.example, groups [contractors], source 10.99.0.5,"
                + " listener default, protocol imap, TLSv1.3, no client certificate, mechanism"
                + " PLAIN, time 2026-01-10T11:00:00Z\n"
                + "access: allow: mechanisms LOGIN, OAUTHBEARER, PLAIN, USER, XOAUTH2; second"
                + " factor if-enrolled; client certificate optional; app passwords allowed\n"
                + "  decided by rule 'vpn-totp-if-enrolled' ("
                + policy
                + ":115:5)\n"
                + "  monitor: rule 'contractors-business-hours' ("
                + policy
                + ":85:5, monitor)"
                + " would have decided: deny (reason contractors-outside-hours)\n"
                + "routing: upstream corp-imap with passthrough credentials\n"
                + "  decided by defaults.routing ("
                + policy
                + ":57:3)\n"
                + "scanning: full scan up to 50 MiB; over the limit: tag; on scan error:"
                + " quarantine\n"
                + "  decided by defaults.scanning ("
                + policy
                + ":59:3)\n"
                + "message: labels [spam], score 0.0, attachment categories [], attachment types"
                + " [], size 0 octets\n"
                + "filtering: junk\n"
                + "  decided by rule 'spam' ("
                + policy
                + ":176:5)\n");
  }

  @Test
  void explainShouldUseTheBuiltInDefaultWithoutAFileAndTheClockWithoutATime() {
    int code =
        commands.explain(
            Optional.empty(),
            new PolicyCommands.ExplainRequest(
                "a@corp.example", "2001:db8::1", null, null, null, null, null, false, null, null),
            Optional.of(new MessageFacts(Set.of("scan-error"), 0, Set.of(), Set.of(), 1)));
    assertThat(code).isEqualTo(PolicyCommands.OK);
    assertThat(out.toString())
        .startsWith("policy: <built-in>\n")
        .contains("time 2026-01-05T10:00:00Z\n")
        .endsWith(
            "filtering: quarantine\n"
                + "  decided by defaults.scanning (<built-in>:24:3) (the scan plan's over-limit"
                + " or on-scan-error action)\n");
  }

  @Test
  void explainShouldRefuseAHostNameAsSourceWithoutLookingItUp() {
    int code =
        commands.explain(
            Optional.empty(),
            new PolicyCommands.ExplainRequest(
                "a@corp.example",
                "mail.corp.example",
                null,
                null,
                null,
                null,
                null,
                false,
                null,
                null),
            Optional.empty());
    assertThat(code).isEqualTo(PolicyCommands.USAGE);
    assertThat(err.toString())
        .isEqualTo("policy explain: --source must be an IPv4 or IPv6 address\n");
  }

  @Test
  void testShouldPassTheShippedExample() {
    assertThat(commands.test(Path.of("..", "examples", "policy-tests.yml")))
        .isEqualTo(PolicyCommands.OK);
    assertThat(out.toString())
        .endsWith("21 cases against " + Path.of("..", "examples", "policy.yml") + ", all passed\n");
  }

  @Test
  void testShouldExitNonZeroWhenAnExpectationFails() throws Exception {
    Files.writeString(
        dir.resolve("p.yml"), "version: 1\ndefaults:\n  access: { decision: allow }\n");
    Files.writeString(
        dir.resolve("t.yml"),
        """
        policy: p.yml
        cases:
          - name: expects a deny
            session: { user: a@corp.example, source: 192.0.2.1 }
            expect: { access: deny }
        """);
    assertThat(commands.test(dir.resolve("t.yml"))).isEqualTo(PolicyCommands.FAILED);
    assertThat(out.toString())
        .isEqualTo(
            dir.resolve("t.yml")
                + ":5:23: case 'expects a deny': access expected deny, got allow (decided by"
                + " defaults.access ("
                + dir.resolve("p.yml")
                + ":3:3))\n"
                + dir.resolve("t.yml")
                + ": 1 cases against "
                + dir.resolve("p.yml")
                + ", 1 failed expectations\n");
  }

  @Test
  void showDefaultShouldPrintYamlThatLoadsToTheSameDecisions() throws Exception {
    assertThat(commands.showDefault()).isEqualTo(PolicyCommands.OK);
    Path file = dir.resolve("default.yml");
    Files.writeString(file, out.toString());
    Policy reloaded = PolicyLoader.load(file);
    assertThat(reloaded.warnings()).isEmpty();
    SessionFacts s = Sessions.session().build();
    PolicyEngine builtIn = new PolicyEngine(Policy.builtInDefault());
    PolicyEngine again = new PolicyEngine(reloaded);
    assertThat(PolicyExplainer.summary(again.decideAccess(s)))
        .isEqualTo(PolicyExplainer.summary(builtIn.decideAccess(s)));
    assertThat(again.route(s).upstream()).isEqualTo("default");
    assertThat(again.scanPlan(s).maxSize()).isEqualTo(builtIn.scanPlan(s).maxSize());
    assertThat(reloaded.ruleIds()).isEqualTo(Policy.builtInDefault().ruleIds());
  }
}
