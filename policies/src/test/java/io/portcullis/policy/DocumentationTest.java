package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/policies.md shows the shipped example verbatim, so the reference cannot drift from it. */
class DocumentationTest {

  @Test
  void corporateExampleInDocsShouldBeExactlyTheExampleFile() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "policies.md"));
    String begin =
        "<!-- example:begin (kept identical to examples/policy.yml by a test) -->\n```yaml\n";
    int start = doc.indexOf(begin);
    int end = doc.indexOf("```\n<!-- example:end -->");
    assertThat(start).isNotNegative();
    assertThat(end).isGreaterThan(start);
    assertThat(doc.substring(start + begin.length(), end))
        .isEqualTo(Files.readString(Path.of("..", "examples", "policy.yml")));
  }
}
