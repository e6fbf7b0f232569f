package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped corporate example passes {@code policy check} and {@code policy test}. */
class ExamplePolicyTest {

  // Surefire runs in the module directory; the examples live at the repository root.
  private static final Path EXAMPLES = Path.of("..", "examples");

  @Test
  void examplePolicyShouldLoadWithoutWarnings() throws Exception {
    Policy p = PolicyLoader.load(EXAMPLES.resolve("policy.yml"));
    assertThat(p.warnings()).isEmpty();
  }

  @Test
  void exampleTestsShouldAllPass() throws Exception {
    PolicyTestRunner.Result r = PolicyTestRunner.run(EXAMPLES.resolve("policy-tests.yml"));
    assertThat(r.failures()).isEmpty();
    assertThat(r.cases()).isEqualTo(21);
  }
}
