// Tuning without looking at the test sets: k-fold cross-validation on the TRAINING sets only
// (spam-1 + easy-ham-1). Each fold's model is trained on the other folds. Prints catch rate and false
// positives per threshold and, with --show, the missed spam and the false positives with their findings.
// Run through run-spam-eval.sh --cv [--show].
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.MessageSource;
import io.portcullis.filter.Verdict;
import io.portcullis.filter.mime.MimeWalker;
import io.portcullis.filter.spam.SpamModel;
import io.portcullis.filter.spam.Tokenizer;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

public class SpamCrossValidation {
  record Msg(String name, byte[] bytes, boolean spam, Set<String> tokens) {}

  public static void main(String[] args) throws Exception {
    Path data = Path.of(args[0]);
    boolean show = List.of(args).contains("--show");
    int k = 5;
    FilterSettings settings = FilterSettings.defaults().withVerdictCache(0, java.time.Duration.ZERO);
    MimeWalker walker = new MimeWalker(settings.mimeLimits());
    Tokenizer tokenizer = new Tokenizer();
    List<Msg> all = new ArrayList<>();
    for (String set : List.of("spam-1", "easy-ham-1")) {
      MessageSource.forEach(List.of(data.resolve(set)), item -> all.add(new Msg(item.name(), item.bytes(), set.startsWith("spam"),
          tokenizer.tokens(walker.walk(new ByteArrayInputStream(item.bytes()), null)))));
    }
    double[] thresholds = {3.0, 4.0, 4.5, 5.0, 6.0};
    int[][] above = new int[2][thresholds.length];
    int[] n = {0, 0};
    int[] labelled = {0, 0};
    Map<String, Integer> spamRules = new TreeMap<>();
    Map<String, Integer> hamRules = new TreeMap<>();
    // The classifier alone, out of fold: bands below/above the rules' bayes bands, and log loss, a
    // finer signal than the catch rate when only a few messages change side.
    double[] edges = {0.01, 0.2, 0.5, 0.8, 0.9, 0.99};
    int[][] band = new int[2][edges.length + 1];
    double[] logLoss = {0, 0};
    for (int fold = 0; fold < k; fold++) {
      SpamModel.Builder b = new SpamModel.Builder();
      for (int i = 0; i < all.size(); i++) {
        if (i % k != fold) {
          b.learn(all.get(i).tokens(), all.get(i).spam());
        }
      }
      SpamModel model = b.build();
      MessageAnalyzer analyzer = MessageAnalyzer.create(settings, Optional.of(model));
      for (int i = fold; i < all.size(); i += k) {
        Msg m = all.get(i);
        double p = model.classify(m.tokens()).probability();
        int bi = 0;
        while (bi < edges.length && p >= edges[bi]) {
          bi++;
        }
        band[m.spam() ? 0 : 1][bi]++;
        double q = Math.min(1 - 1e-4, Math.max(1e-4, m.spam() ? p : 1 - p));
        logLoss[m.spam() ? 0 : 1] -= Math.log(q);
        Verdict v = analyzer.analyze(new ByteArrayInputStream(m.bytes()));
        int c = m.spam() ? 0 : 1;
        n[c]++;
        v.findings().forEach(f -> (m.spam() ? spamRules : hamRules).merge(f.rule(), 1, Integer::sum));
        for (int t = 0; t < thresholds.length; t++) {
          if (v.score() >= thresholds[t]) {
            above[c][t]++;
          }
        }
        if (v.has(Label.SPAM)) {
          labelled[c]++;
        }
        if (show && (m.spam() != v.has(Label.SPAM))) {
          System.out.printf("%s %s score %.2f %s%n", m.spam() ? "MISS" : "FP", m.name(), v.score(),
              v.findings().stream().filter(f -> f.weight() != 0).map(f -> f.rule() + "=" + f.weight() + (f.rule().startsWith("bayes") ? " (" + f.reason() + ")" : "")).toList());
        }
      }
    }
    System.out.printf("%d-fold CV on spam-1 + easy-ham-1: spam caught %.2f %% (%d/%d), ham FP %.2f %% (%d/%d)%n", k,
        100.0 * labelled[0] / n[0], labelled[0], n[0], 100.0 * labelled[1] / n[1], labelled[1], n[1]);
    for (int c = 0; c < 2; c++) {
      StringBuilder sweep = new StringBuilder(c == 0 ? "  spam score >= " : "  ham  score >= ");
      for (int t = 0; t < thresholds.length; t++) {
        sweep.append(String.format("%.1f: %.2f %%  ", thresholds[t], 100.0 * above[c][t] / n[c]));
      }
      System.out.println(sweep);
    }
    System.out.println("  classifier bands <.01 .01-.2 .2-.5 .5-.8 .8-.9 .9-.99 >=.99: spam "
        + java.util.Arrays.toString(band[0]) + " ham " + java.util.Arrays.toString(band[1]));
    System.out.printf("  classifier log loss: spam %.4f ham %.4f per message%n", logLoss[0] / n[0], logLoss[1] / n[1]);
    System.out.println("  rules on spam: " + spamRules);
    System.out.println("  rules on ham:  " + hamRules);
  }
}
