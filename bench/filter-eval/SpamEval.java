// Spam classification on the SpamAssassin public corpus: train on spam-1 + easy-ham-1, test on spam-2,
// easy-ham-2 and hard-ham-1. Run through run-spam-eval.sh, which builds the classpath and fetches the corpus.
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.MessageSource;
import io.portcullis.filter.SpamTrainer;
import io.portcullis.filter.Verdict;
import io.portcullis.filter.spam.SpamModel;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

public class SpamEval {
  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    Path work = Files.createTempDirectory("spam-eval");
    Path modelFile = work.resolve("model.gz");
    FilterSettings settings = FilterSettings.defaults().withVerdictCache(0, java.time.Duration.ZERO);
    long t0 = System.nanoTime();
    new SpamTrainer(settings.mimeLimits())
        .train(List.of(data.resolve("spam-1")), List.of(data.resolve("easy-ham-1")), Optional.empty(), modelFile, System.err);
    System.out.printf("training: %.1f s%n", (System.nanoTime() - t0) / 1e9);
    SpamModel model = SpamModel.load(modelFile);
    MessageAnalyzer analyzer = MessageAnalyzer.create(settings, Optional.of(model));
    // SETS=spam-1,easy-ham-1 shows how often each rule fires on the training sets (to set weights
    // without looking at the test sets).
    String sets = System.getenv().getOrDefault("SETS", "spam-2,easy-ham-2,hard-ham-1");
    for (String set : sets.split(",")) {
      int[] n = {0, 0};
      double[] thresholds = {3.0, 4.0, 4.5, 5.0, 6.0};
      int[] above = new int[thresholds.length];
      Map<String, Integer> rules = new TreeMap<>();
      var mx = java.lang.management.ManagementFactory.getThreadMXBean();
      long start = mx.getCurrentThreadCpuTime();
      MessageSource.forEach(List.of(data.resolve(set)), item -> {
        Verdict v = analyzer.analyze(new ByteArrayInputStream(item.bytes()));
        n[0]++;
        if (!v.has(Label.SPAM) && set.contains("spam") && List.of(args).contains("--show-misses")) {
          System.out.printf("  MISS %s score %.2f %s%n", item.name(), v.score(), v.findings().stream().filter(f -> f.weight() != 0).map(f -> f.rule() + "=" + f.weight() + (f.rule().startsWith("bayes") ? " (" + f.reason() + ")" : "")).toList());
        }
        if (List.of(args).contains("--dump")) {
          System.out.printf("DUMP %s %s %.2f %s%n", set, item.name(), v.score(), v.findings().stream().filter(f -> f.weight() != 0 || f.rule().startsWith("bayes")).map(f -> f.rule() + "=" + f.weight() + (f.rule().startsWith("bayes") ? "@" + f.reason().substring(17, 22) : "")).toList());
        }
        if (v.has(Label.SPAM)) {
          n[1]++;
          if (set.contains("ham") && List.of(args).contains("--show-fp")) {
            System.out.printf("  FP %s score %.2f %s%n", item.name(), v.score(), v.findings().stream().filter(f -> f.weight() != 0).map(f -> f.rule() + "=" + f.weight()).toList());
          }
        }
        v.findings().forEach(f -> rules.merge(f.rule(), 1, Integer::sum));
        for (int i = 0; i < thresholds.length; i++) {
          if (v.score() >= thresholds[i]) {
            above[i]++;
          }
        }
      });
      double ms = (mx.getCurrentThreadCpuTime() - start) / 1e6 / n[0];
      System.out.printf("%-11s %5d messages, %5d labelled spam = %6.2f %%  (%.2f ms CPU/message incl. reading)%n", set, n[0], n[1], 100.0 * n[1] / n[0], ms);
      System.out.println("            rules fired: " + rules);
      StringBuilder sweep = new StringBuilder("            score >= ");
      for (int i = 0; i < thresholds.length; i++) {
        sweep.append(String.format("%.1f: %.2f %%  ", thresholds[i], 100.0 * above[i] / n[0]));
      }
      System.out.println(sweep);
    }
  }
}
