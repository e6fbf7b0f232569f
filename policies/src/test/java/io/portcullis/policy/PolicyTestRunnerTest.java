package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyTestRunnerTest {

  private static final String POLICY =
      """
      version: 1
      networks:
        office: [10.0.0.0/8]
      defaults:
        access: { second-factor: required }
      access:
        - id: office
          match: { source: office }
          second-factor: "off"
      """;

  @Test
  void runShouldReportEveryUnmetExpectationWithItsPosition() throws Exception {
    Policy policy = PolicyLoader.parse("policy.yml", POLICY);
    PolicyTestRunner.Result r =
        PolicyTestRunner.run(
            policy,
            "tests.yml",
            """
            cases:
              - name: office
                session: { user: a@corp.example, source: 10.1.1.1 }
                expect: { second-factor: "off", access-rule: office }
              - name: outside, wrongly expected
                session: { user: a@corp.example, source: 192.0.2.1 }
                expect: { second-factor: "off", access-rule: office }
            """);
    assertThat(r.cases()).isEqualTo(2);
    assertThat(r.failures())
        .extracting(PolicyTestRunner.Failure::toString)
        .containsExactly(
            "tests.yml:7:30: case 'outside, wrongly expected': second-factor expected off, got"
                + " required (decided by defaults.access (policy.yml:5:3))",
            "tests.yml:7:50: case 'outside, wrongly expected': access-rule expected office, got"
                + " defaults (decided by defaults.access (policy.yml:5:3))");
    assertThat(r.passed()).isFalse();
  }

  @Test
  void runShouldRejectUnknownKeysAndUnknownRuleIdsInTheTestFile() throws Exception {
    Policy policy = PolicyLoader.parse("policy.yml", POLICY);
    PolicyException e =
        catchThrowableOfType(
            PolicyException.class,
            () ->
                PolicyTestRunner.run(
                    policy,
                    "tests.yml",
                    """
                    cases:
                      - name: typo
                        session: { user: a@corp.example, source: 10.1.1.1, protocl: imap }
                        expect: { access-rule: ofice }
                      - name: bad address
                        session: { user: a@corp.example, source: not-an-address }
                        expect: { access: allow }
                      - name: no message
                        session: { user: a@corp.example, source: 10.1.1.1 }
                        expect: { action: junk }
                    """));
    assertThat(e.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "tests.yml:3:56: unknown key 'protocl' in session (did you mean 'protocol'?)",
            "tests.yml:4:28: no rule has the id 'ofice'",
            "tests.yml:6:46: source must be an IPv4 or IPv6 address, not 'not-an-address'",
            "tests.yml:10:15: 'action' is expected but the case has no 'message'");
  }

  @Test
  void runShouldResolveThePolicyRelativeToTheTestFile(@TempDir Path dir) throws Exception {
    Files.createDirectories(dir.resolve("policies"));
    Files.writeString(dir.resolve("policies/main.yml"), POLICY);
    Files.writeString(
        dir.resolve("policies/main-tests.yml"),
        """
        policy: main.yml
        cases:
          - name: office
            session: { user: a@corp.example, source: 10.1.1.1 }
            expect: { second-factor: "off" }
        """);
    PolicyTestRunner.Result r = PolicyTestRunner.run(dir.resolve("policies/main-tests.yml"));
    assertThat(r.passed()).isTrue();
    assertThat(r.policySource()).isEqualTo(dir.resolve("policies/main.yml").toString());
  }
}
