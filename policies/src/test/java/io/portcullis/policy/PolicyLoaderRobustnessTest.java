package io.portcullis.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Hostile or broken policy text must end in a {@link PolicyException} with positions, never in
 * another exception: a reload of a half-written file must not take the gateway down.
 */
class PolicyLoaderRobustnessTest {

  private static final String ALPHABET = " \n\t:-[]{},#&*!|>'\"%@`0123456789abcz/._$\\\u00e9";

  @Test
  void mutatedPoliciesShouldLoadOrFailWithPositionsButNeverThrowAnythingElse() throws Exception {
    String original = Files.readString(Path.of("..", "examples", "policy.yml"));
    Random random = new Random(20260105); // fixed: a failure is reproducible
    List<String> unexpected = new ArrayList<>();
    int rejected = 0;
    for (int i = 0; i < 400; i++) {
      String text = mutate(original, random, 1 + random.nextInt(4));
      try {
        PolicyLoader.parse("fuzz.yml", text);
      } catch (PolicyException e) {
        rejected++;
        assertThat(e.problems()).isNotEmpty();
        assertThat(e.problems()).allSatisfy(p -> assertThat(p.location().line()).isPositive());
      } catch (RuntimeException | StackOverflowError e) {
        unexpected.add(e + " for mutation " + i);
      }
    }
    assertThat(unexpected).isEmpty();
    assertThat(rejected).isGreaterThan(40);
  }

  private static String mutate(String text, Random random, int times) {
    StringBuilder b = new StringBuilder(text);
    for (int t = 0; t < times; t++) {
      int at = random.nextInt(b.length());
      switch (random.nextInt(4)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        case 2 -> b.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        default -> {
          int end = Math.min(b.length(), at + random.nextInt(80));
          b.insert(random.nextInt(b.length()), b.substring(at, end));
        }
      }
    }
    return b.toString();
  }
}
