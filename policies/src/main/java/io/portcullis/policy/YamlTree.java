package io.portcullis.policy;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a composed SnakeYAML node tree (positions kept, nothing constructed) and collects problems
 * with their positions instead of throwing, so that one run reports every error. Not thread-safe;
 * one per load.
 */
final class YamlTree {

  /** One key of a mapping with its key and value nodes. */
  record Field(String key, Node keyNode, Node value) {}

  /** The keys of one mapping, in source order. */
  record Fields(Node node, Map<String, Field> byKey) {
    Field get(String key) {
      return byKey.get(key);
    }

    boolean has(String key) {
      return byKey.containsKey(key);
    }

    Node value(String key) {
      Field f = byKey.get(key);
      return f == null ? null : f.value();
    }
  }

  private static final Set<Tag> PLAIN_TAGS =
      Set.of(Tag.STR, Tag.INT, Tag.FLOAT, Tag.BOOL, Tag.NULL, Tag.SEQ, Tag.MAP, Tag.TIMESTAMP);

  private final String source;
  private final List<Problem> problems = new ArrayList<>();
  private final IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();

  /**
   * Composes YAML text into nodes (nothing is constructed, so no YAML tag can create an object),
   * with limits sized for a policy: one document, shallow nesting, few aliases.
   *
   * @throws PolicyException if the text is empty or not YAML, with the position of the problem
   */
  static Node compose(String source, String text, String what) throws PolicyException {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    options.setMaxAliasesForCollections(10);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(20);
    options.setCodePointLimit(PolicyLoader.MAX_POLICY_BYTES);
    Location start = new Location(source, 1, 1);
    try {
      // Aliases are refused before composing, at the alias itself: a policy never needs them and
      // they are how "billion laughs" documents grow.
      for (Event e : new Yaml(options).parse(new StringReader(text))) {
        if (e instanceof AliasEvent alias) {
          Mark m = alias.getStartMark();
          throw new PolicyException(
              List.of(
                  new Problem(
                      new Location(source, m.getLine() + 1, m.getColumn() + 1),
                      "aliases are not supported in a policy; repeat the value or name an object",
                      Problem.Severity.ERROR)));
        }
      }
      Node root = new Yaml(options).compose(new StringReader(text));
      if (root == null) {
        throw new PolicyException(
            List.of(new Problem(start, what + " is empty", Problem.Severity.ERROR)));
      }
      return root;
    } catch (MarkedYAMLException e) {
      Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      Location at = m == null ? start : new Location(source, m.getLine() + 1, m.getColumn() + 1);
      throw new PolicyException(
          List.of(new Problem(at, "not valid YAML: " + e.getProblem(), Problem.Severity.ERROR)));
    } catch (YAMLException e) {
      // Limits (code points, nesting, aliases) end up here; their text names no input.
      throw new PolicyException(
          List.of(new Problem(start, "not valid YAML: " + e.getMessage(), Problem.Severity.ERROR)));
    }
  }

  YamlTree(String source) {
    this.source = source;
  }

  List<Problem> problems() {
    return problems;
  }

  boolean hasErrors() {
    return problems.stream().anyMatch(p -> p.severity() == Problem.Severity.ERROR);
  }

  Location location(Node n) {
    return new Location(source, n.getStartMark().getLine() + 1, n.getStartMark().getColumn() + 1);
  }

  void error(Node n, String message) {
    problems.add(new Problem(location(n), message, Problem.Severity.ERROR));
  }

  void warn(Node n, String message) {
    problems.add(new Problem(location(n), message, Problem.Severity.WARNING));
  }

  /**
   * Rejects what a policy never needs and an attacker could use: aliases (billion laughs, shared
   * sub-trees that change meaning), and explicit tags other than the plain YAML ones.
   */
  boolean checkPlain(Node n) {
    if (seen.put(n, Boolean.TRUE) != null) {
      error(n, "aliases are not supported in a policy; repeat the value or name an object");
      return false;
    }
    if (!PLAIN_TAGS.contains(n.getTag())) {
      error(n, "tag '" + n.getTag().getValue() + "' is not supported in a policy");
      return false;
    }
    boolean ok = true;
    if (n instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        ok &= checkPlain(t.getKeyNode()) & checkPlain(t.getValueNode());
      }
    } else if (n instanceof SequenceNode s) {
      for (Node child : s.getValue()) {
        ok &= checkPlain(child);
      }
    }
    return ok;
  }

  /**
   * The fields of a mapping; reports a non-mapping, non-scalar or duplicate keys and keys not in
   * {@code allowed}. Returns null if {@code n} is not a mapping.
   */
  Fields fields(Node n, String what, Set<String> allowed) {
    if (!(n instanceof MappingNode m)) {
      error(n, what + " must be a mapping");
      return null;
    }
    Map<String, Field> byKey = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        error(t.getKeyNode(), "keys in " + what + " must be plain names");
        continue;
      }
      String key = k.getValue();
      if (byKey.containsKey(key)) {
        error(k, "duplicate key '" + key + "' in " + what);
        continue;
      }
      if (allowed != null && !allowed.contains(key)) {
        error(k, "unknown key '" + key + "' in " + what + suggestion(key, allowed));
        continue;
      }
      byKey.put(key, new Field(key, k, t.getValueNode()));
    }
    return new Fields(n, byKey);
  }

  static String suggestion(String key, Set<String> allowed) {
    String best = null;
    int bestDistance = 3;
    for (String a : allowed) {
      int d = distance(key.toLowerCase(Locale.ROOT), a);
      if (d < bestDistance) {
        bestDistance = d;
        best = a;
      }
    }
    return best != null
        ? " (did you mean '" + best + "'?)"
        : " (expected one of: " + String.join(", ", new TreeSet<>(allowed)) + ")";
  }

  private static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  /** The text of a scalar, or null (reported) if {@code n} is not a scalar. */
  String scalar(Node n, String what) {
    if (n instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return s.getValue();
    }
    error(n, what + " must be a single value");
    return null;
  }

  /** A scalar or a list of scalars, as nodes; reports an empty list. Null on error. */
  List<ScalarNode> scalars(Node n, String what) {
    if (n instanceof ScalarNode s && s.getTag() != Tag.NULL) {
      return List.of(s);
    }
    if (n instanceof SequenceNode seq) {
      if (seq.getValue().isEmpty()) {
        error(n, what + " is an empty list; remove the key or name at least one value");
        return null;
      }
      List<ScalarNode> out = new ArrayList<>();
      for (Node child : seq.getValue()) {
        if (child instanceof ScalarNode s && s.getTag() != Tag.NULL) {
          out.add(s);
        } else {
          error(child, what + " must list plain values");
          return null;
        }
      }
      return out;
    }
    error(n, what + " must be a value or a list of values");
    return null;
  }

  /** A YAML boolean ({@code true} or {@code false} only), or null (reported). */
  Boolean bool(Node n, String what) {
    String s = scalar(n, what);
    if (s == null) {
      return null;
    }
    return switch (s) {
      case "true" -> Boolean.TRUE;
      case "false" -> Boolean.FALSE;
      default -> {
        error(n, what + " must be true or false, not '" + s + "'");
        yield null;
      }
    };
  }

  /** The constant of {@code type} spelled {@code yamlName}, or null (reported). */
  <E extends Enum<E> & YamlName> E keyword(Node n, String what, Class<E> type) {
    String s = scalar(n, what);
    if (s == null) {
      return null;
    }
    List<String> names = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      if (e.yamlName().equals(s)) {
        return e;
      }
      names.add(e.yamlName());
    }
    error(n, what + " must be one of " + String.join(", ", names) + ", not '" + s + "'");
    return null;
  }

  /** A size in octets: a whole number with an optional unit B, KiB, MiB or GiB. Null on error. */
  Long size(Node n, String what) {
    String s = scalar(n, what);
    if (s == null) {
      return null;
    }
    String digits = s;
    long unit = 1;
    for (String[] u :
        new String[][] {{"GiB", "1073741824"}, {"MiB", "1048576"}, {"KiB", "1024"}, {"B", "1"}}) {
      if (s.endsWith(u[0])) {
        digits = s.substring(0, s.length() - u[0].length()).strip();
        unit = Long.parseLong(u[1]);
        break;
      }
    }
    if (digits.isEmpty()
        || digits.length() > 15
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      error(n, what + " must be a size such as 25MiB, not '" + s + "'");
      return null;
    }
    return Long.parseLong(digits) * unit;
  }

  /** A decimal number, or null (reported). */
  Double number(Node n, String what) {
    String s = scalar(n, what);
    if (s == null) {
      return null;
    }
    if (!s.matches("-?[0-9]{1,9}(\\.[0-9]{1,9})?")) {
      error(n, what + " must be a number such as 5.0, not '" + s + "'");
      return null;
    }
    return Double.parseDouble(s);
  }
}
