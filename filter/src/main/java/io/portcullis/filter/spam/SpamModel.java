package io.portcullis.filter.spam;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Token counts from training and the Robinson–Fisher (chi-squared) combining used by SpamBayes and
 * bogofilter to turn them into a spam probability, with bogofilter's fallback of unknown tokens to
 * more general forms. An empty model, or a message whose tokens are all unknown, classifies as 0.5
 * (no opinion). Immutable and thread-safe; {@link Builder} is not.
 *
 * <p>File format (versioned, gzip-compressed UTF-8 text): {@code portcullis-spam-model 2}, then
 * {@code tokenizer N} (the {@link Tokenizer#VERSION} that produced the tokens), {@code spam N} and
 * {@code ham N} message counts, then one {@code token TAB spam TAB ham} line per token. Format 1
 * had no tokenizer line and is read as tokenizer version 1.
 */
public final class SpamModel {

  /** The format version this class writes and reads. */
  public static final int FORMAT_VERSION = 2;

  /** The tokenizer version of format-1 files, which predate the {@code tokenizer} line. */
  private static final int FORMAT_1_TOKENIZER = 1;

  private static final String MAGIC = "portcullis-spam-model";

  /**
   * Robinson's s: how many messages' worth of belief the prior x is given against a token's counts.
   * SpamBayes uses 0.45; 1.0 was better in cross-validation on the training sets (see
   * docs/filtering.md), because with five times more ham than spam a token seen once or twice is
   * otherwise trusted too much.
   */
  private static final double UNKNOWN_WORD_STRENGTH = 1.0;

  /** Robinson's x: the probability assumed for a token never seen (no opinion). */
  private static final double UNKNOWN_WORD_PROB = 0.5;

  /**
   * Tokens closer to 0.5 than this are ignored as evidence. SpamBayes uses 0.1; 0.2 was better in
   * cross-validation once more discriminators were allowed (0.3 lost 4 points of spam).
   */
  private static final double MINIMUM_PROB_STRENGTH = 0.2;

  /**
   * How many of the strongest tokens are combined. SpamBayes uses 150; 300 lowered the spam log
   * loss in cross-validation (0.062 to 0.057) with the same ham figures, 75 raised it.
   */
  private static final int MAX_DISCRIMINATORS = 300;

  private static final int MAX_TOKENS_IN_FILE = 20_000_000;

  /** A token's contribution to a classification. */
  public record Clue(String token, double probability) {}

  /** The spam probability of one message and the strongest tokens behind it. */
  public record Classification(double probability, List<Clue> clues) {}

  private final int tokenizerVersion;
  private final int spamMessages;
  private final int hamMessages;
  private final Map<String, int[]> counts;

  private SpamModel(
      int tokenizerVersion, int spamMessages, int hamMessages, Map<String, int[]> counts) {
    this.tokenizerVersion = tokenizerVersion;
    this.spamMessages = spamMessages;
    this.hamMessages = hamMessages;
    this.counts = counts;
  }

  /** A model that knows nothing: every message classifies as 0.5. */
  public static SpamModel empty() {
    return new SpamModel(Tokenizer.VERSION, 0, 0, Map.of());
  }

  /** The {@link Tokenizer#VERSION} whose tokens this model counts. */
  public int tokenizerVersion() {
    return tokenizerVersion;
  }

  public int spamMessages() {
    return spamMessages;
  }

  public int hamMessages() {
    return hamMessages;
  }

  public int tokenCount() {
    return counts.size();
  }

  /** Classifies a message by its token set. */
  public Classification classify(Collection<String> tokens) {
    if (spamMessages == 0 || hamMessages == 0) {
      return new Classification(0.5, List.of());
    }
    List<Clue> clues = new ArrayList<>();
    Set<String> present = tokens instanceof Set<String> set ? set : new HashSet<>(tokens);
    Set<String> borrowed = new HashSet<>();
    for (String token : tokens) {
      int[] c = counts.get(token);
      if (c == null) {
        // Degeneration (bogofilter, DSPAM): an unknown "Subject: FREE!!!" word is still the known
        // word "free", unless that form is already evidence of its own.
        for (String form : degenerations(token)) {
          int[] known = counts.get(form);
          if (known != null && !present.contains(form) && borrowed.add(form)) {
            c = known;
            token = form;
            break;
          }
        }
      }
      if (c == null) {
        continue; // unknown: exactly the prior 0.5, which is never evidence
      }
      double p = probability(c[0], c[1]);
      if (Math.abs(p - 0.5) >= MINIMUM_PROB_STRENGTH) {
        clues.add(new Clue(token, p));
      }
    }
    clues.sort(
        Comparator.comparingDouble((Clue c) -> -Math.abs(c.probability() - 0.5))
            .thenComparing(Clue::token));
    if (clues.size() > MAX_DISCRIMINATORS) {
      clues = new ArrayList<>(clues.subList(0, MAX_DISCRIMINATORS));
    }
    if (clues.isEmpty()) {
      return new Classification(0.5, List.of());
    }
    double sumLnHam = 0;
    double sumLnSpam = 0;
    for (Clue clue : clues) {
      sumLnHam += Math.log(clue.probability());
      sumLnSpam += Math.log1p(-clue.probability());
    }
    int n = clues.size();
    // Fisher's method on each tail: S near 1 means the tokens reject "this is ham", H the reverse.
    double s = 1.0 - chi2Q(-2.0 * sumLnSpam, 2 * n);
    double h = 1.0 - chi2Q(-2.0 * sumLnHam, 2 * n);
    double prob = (s - h + 1.0) / 2.0;
    return new Classification(prob, List.copyOf(clues));
  }

  /**
   * The more general forms an unknown token falls back to, most specific first: a subject or
   * display-name word as a body word, then a word without its trailing '!' and leading currency
   * signs. Other prefixed tokens (headers, URLs, shouted words) have no fallback.
   */
  static List<String> degenerations(String token) {
    List<String> out = new ArrayList<>(2);
    String t = token;
    if (t.startsWith("subject:") || t.startsWith("from:name:")) {
      t = t.substring(t.lastIndexOf(':') + 1);
      if (t.length() >= 3) {
        out.add(t);
      }
    }
    if (t.indexOf(':') >= 0) {
      return out;
    }
    int end = t.length();
    while (end > 0 && t.charAt(end - 1) == '!') {
      end--;
    }
    int start = 0;
    while (start < end && "$€£".indexOf(t.charAt(start)) >= 0) {
      start++;
    }
    if (start > 0 || end < t.length()) {
      String bare = t.substring(start, end);
      if (bare.length() >= 3) {
        out.add(bare);
      }
    }
    return out;
  }

  /** Robinson's f(w): the token's spam ratio pulled towards 0.5 when it was seen rarely. */
  private double probability(int spamCount, int hamCount) {
    double spamRatio = (double) spamCount / spamMessages;
    double hamRatio = (double) hamCount / hamMessages;
    double p = spamRatio / (spamRatio + hamRatio);
    int n = spamCount + hamCount;
    return (UNKNOWN_WORD_STRENGTH * UNKNOWN_WORD_PROB + n * p) / (UNKNOWN_WORD_STRENGTH + n);
  }

  /** P(chi² with v degrees of freedom ≥ x2), v even. */
  static double chi2Q(double x2, int v) {
    double m = x2 / 2.0;
    double term = Math.exp(-m);
    double sum = term;
    for (int i = 1; i < v / 2; i++) {
      term *= m / i;
      sum += term;
    }
    return Math.min(sum, 1.0);
  }

  /**
   * Reads a model file.
   *
   * @throws IOException if the file is missing, not a model, of another format version, corrupt, or
   *     trained with another tokenizer version (its tokens would not match this tokenizer's, so it
   *     would score silently badly; the message tells the admin to retrain)
   */
  public static SpamModel load(Path file) throws IOException {
    SpamModel model;
    try (InputStream in = new GZIPInputStream(Files.newInputStream(file), 65536)) {
      model = read(in);
    }
    if (model.tokenizerVersion != Tokenizer.VERSION) {
      throw new IOException(
          "spam model "
              + file
              + " was trained with tokenizer version "
              + model.tokenizerVersion
              + " but this Portcullis tokenizes with version "
              + Tokenizer.VERSION
              + ": retrain it with 'portcullis filter train --fresh --spam DIR --ham DIR"
              + " --model "
              + file
              + "'");
    }
    return model;
  }

  static SpamModel read(InputStream in) throws IOException {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    String magic = reader.readLine();
    if (magic == null || !magic.startsWith(MAGIC + " ")) {
      throw new IOException("not a Portcullis spam model");
    }
    int version = parse(magic.substring(MAGIC.length() + 1));
    if (version != FORMAT_VERSION && version != 1) {
      throw new IOException(
          "spam model format " + version + " is not supported (expected " + FORMAT_VERSION + ")");
    }
    int tokenizer = version == 1 ? FORMAT_1_TOKENIZER : count(reader.readLine(), "tokenizer ");
    int spam = count(reader.readLine(), "spam ");
    int ham = count(reader.readLine(), "ham ");
    Map<String, int[]> counts = new HashMap<>();
    String line;
    while ((line = reader.readLine()) != null) {
      int t1 = line.indexOf('\t');
      int t2 = t1 < 0 ? -1 : line.indexOf('\t', t1 + 1);
      if (t2 < 0 || counts.size() >= MAX_TOKENS_IN_FILE) {
        throw new IOException("spam model: corrupt token line");
      }
      int s = parse(line.substring(t1 + 1, t2));
      int h = parse(line.substring(t2 + 1));
      if (s > spam || h > ham) {
        throw new IOException("spam model: token count exceeds message count");
      }
      counts.put(line.substring(0, t1), new int[] {s, h});
    }
    return new SpamModel(tokenizer, spam, ham, Map.copyOf(counts));
  }

  private static int count(String line, String prefix) throws IOException {
    if (line == null || !line.startsWith(prefix)) {
      throw new IOException("spam model: missing '" + prefix.strip() + "' line");
    }
    return parse(line.substring(prefix.length()));
  }

  private static int parse(String s) throws IOException {
    try {
      int v = Integer.parseInt(s.strip());
      if (v < 0) {
        throw new IOException("spam model: negative number");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IOException("spam model: not a number", e);
    }
  }

  /** Writes the model atomically: a temp file next to {@code file}, fsync, then rename. */
  public void save(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".model", ".tmp");
    try {
      try (OutputStream raw = Files.newOutputStream(tmp, StandardOpenOption.WRITE);
          OutputStream gz = new GZIPOutputStream(raw, 65536);
          Writer w = new BufferedWriter(new OutputStreamWriter(gz, StandardCharsets.UTF_8))) {
        write(w);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private void write(Writer w) throws IOException {
    w.write(MAGIC + " " + FORMAT_VERSION + "\n");
    w.write("tokenizer " + tokenizerVersion + "\n");
    w.write("spam " + spamMessages + "\n");
    w.write("ham " + hamMessages + "\n");
    List<String> tokens = new ArrayList<>(counts.keySet());
    tokens.sort(null);
    for (String token : tokens) {
      int[] c = counts.get(token);
      w.write(token + "\t" + c[0] + "\t" + c[1] + "\n");
    }
  }

  /** Accumulates training messages into a new model. Not thread-safe. */
  public static final class Builder {
    private final int tokenizerVersion;
    private int spam;
    private int ham;
    private final Map<String, int[]> counts = new HashMap<>();

    /** Starts empty, for tokens of the current {@link Tokenizer#VERSION}. */
    public Builder() {
      this(Tokenizer.VERSION);
    }

    /** Starts empty, for tokens of the given tokenizer version (tests and migrations). */
    Builder(int tokenizerVersion) {
      this.tokenizerVersion = tokenizerVersion;
    }

    /** Starts from an existing model's counts (incremental training). */
    public Builder(SpamModel base) {
      tokenizerVersion = base.tokenizerVersion;
      spam = base.spamMessages;
      ham = base.hamMessages;
      base.counts.forEach((k, v) -> counts.put(k, v.clone()));
    }

    /** Counts one message's tokens as spam or ham. */
    public Builder learn(Collection<String> tokens, boolean isSpam) {
      if (isSpam) {
        spam++;
      } else {
        ham++;
      }
      for (String token : tokens) {
        if (token.isEmpty()
            || token.indexOf('\t') >= 0
            || token.indexOf('\n') >= 0
            || token.indexOf('\r') >= 0) {
          continue;
        }
        counts.computeIfAbsent(token, k -> new int[2])[isSpam ? 0 : 1]++;
      }
      return this;
    }

    public SpamModel build() {
      Map<String, int[]> copy = new HashMap<>();
      counts.forEach((k, v) -> copy.put(k, v.clone()));
      return new SpamModel(tokenizerVersion, spam, ham, Map.copyOf(copy));
    }
  }
}
