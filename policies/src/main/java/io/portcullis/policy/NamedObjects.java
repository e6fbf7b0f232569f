package io.portcullis.policy;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads the named objects of a policy (networks, groups, upstreams, attachment classes, time
 * windows), resolves references to them and remembers which are used. Not thread-safe; one per
 * load.
 */
final class NamedObjects {

  /** Attachment categories of the filter module. */
  static final Set<String> CATEGORIES =
      Set.of(
          "executable",
          "script",
          "disk-image",
          "macro-document",
          "archive",
          "encrypted",
          "pdf-active",
          "html-smuggling",
          "mismatch",
          "double-extension",
          "deceptive-name",
          "active-object",
          "test-signature");

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  private static final Pattern MIME_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,63}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");
  private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]|24:00");
  private static final List<String> DAYS = List.of("mon", "tue", "wed", "thu", "fri", "sat", "sun");

  private final String source;
  private final Policy base;
  private final YamlTree y;
  final Map<String, Named.Network> networks = new LinkedHashMap<>();
  final Map<String, Named.Group> groups = new LinkedHashMap<>();
  final Map<String, Named.Upstream> upstreams = new LinkedHashMap<>();
  final Map<String, Named.AttachmentClass> classes = new LinkedHashMap<>();
  final Map<String, Named.Window> windows = new LinkedHashMap<>();
  private final Set<String> used = new HashSet<>();
  // Objects declared with errors: references to them are not reported again as undefined.
  private final Set<String> invalid = new HashSet<>();

  NamedObjects(String source, Policy base, YamlTree y) {
    this.source = source;
    this.base = base;
    this.y = y;
  }

  private boolean validName(Node keyNode, String name, String what) {
    if (!NAME.matcher(name).matches()) {
      y.error(
          keyNode,
          what + " name '" + name + "' must be lower case letters, digits, '.', '_' or '-'");
      return false;
    }
    return true;
  }

  void readNetworks(Node n) {
    if (n == null) {
      return;
    }
    YamlTree.Fields fs = y.fields(n, "networks", null);
    if (fs == null) {
      return;
    }
    for (YamlTree.Field f : fs.byKey().values()) {
      if (!validName(f.keyNode(), f.key(), "network")) {
        continue;
      }
      List<ScalarNode> items = y.scalars(f.value(), "network '" + f.key() + "'");
      if (items == null) {
        continue;
      }
      List<Cidr> prefixes = new ArrayList<>();
      for (ScalarNode item : items) {
        try {
          prefixes.add(Cidr.parse(item.getValue().strip()));
        } catch (IllegalArgumentException e) {
          y.error(item, e.getMessage());
        }
      }
      networks.put(f.key(), new Named.Network(f.key(), prefixes, y.location(f.keyNode())));
    }
    markInvalid(fs, networks, "network");
  }

  void readGroups(Node n) {
    if (n == null) {
      return;
    }
    YamlTree.Fields fs = y.fields(n, "groups", null);
    if (fs == null) {
      return;
    }
    for (YamlTree.Field f : fs.byKey().values()) {
      if (!validName(f.keyNode(), f.key(), "group")) {
        continue;
      }
      Set<String> members = new LinkedHashSet<>();
      if (!(f.value() instanceof ScalarNode s && s.getValue().isEmpty())) {
        YamlTree.Fields g =
            y.fields(f.value(), "group '" + f.key() + "'", Set.of("description", "members"));
        if (g == null) {
          continue;
        }
        if (g.has("members")) {
          List<ScalarNode> items = y.scalars(g.value("members"), "members");
          if (items != null) {
            for (ScalarNode item : items) {
              String user = userName(item);
              if (user != null) {
                members.add(user);
              }
            }
          }
        }
      }
      groups.put(f.key(), new Named.Group(f.key(), members, y.location(f.keyNode())));
    }
    markInvalid(fs, groups, "group");
  }

  private void markInvalid(YamlTree.Fields fs, Map<String, ?> declared, String noun) {
    for (String name : fs.byKey().keySet()) {
      if (!declared.containsKey(name)) {
        invalid.add(noun + " " + name);
      }
    }
  }

  String userName(ScalarNode item) {
    String user = item.getValue().strip().toLowerCase(Locale.ROOT);
    if (user.isEmpty()
        || user.length() > 320
        || user.chars().anyMatch(c -> c <= 0x20 || c == 0x7f)) {
      y.error(
          item,
          "user '"
              + item.getValue()
              + "' must be a user name without spaces or control characters");
      return null;
    }
    return user;
  }

  void readUpstreams(Node n) {
    if (n != null) {
      YamlTree.Fields fs = y.fields(n, "upstreams", null);
      if (fs != null) {
        for (YamlTree.Field f : fs.byKey().values()) {
          if (!validName(f.keyNode(), f.key(), "upstream")) {
            continue;
          }
          YamlTree.Fields u =
              y.fields(
                  f.value(), "upstream '" + f.key() + "'", Set.of("description", "credentials"));
          if (u == null) {
            continue;
          }
          CredentialMode mode = CredentialMode.PASSTHROUGH;
          if (u.has("credentials")) {
            mode = y.keyword(u.value("credentials"), "credentials", CredentialMode.class);
          }
          if (mode != null) {
            upstreams.put(f.key(), new Named.Upstream(f.key(), mode, y.location(f.keyNode())));
          }
        }
        markInvalid(fs, upstreams, "upstream");
      }
    }
    if (base != null) {
      // The gateway configuration's default upstream is always a routing target.
      upstreams.putIfAbsent("default", base.upstreams().get("default"));
      used.add("upstream default");
    }
  }

  void readClasses(Node n) {
    if (n == null) {
      return;
    }
    YamlTree.Fields fs = y.fields(n, "attachment-classes", null);
    if (fs == null) {
      return;
    }
    for (YamlTree.Field f : fs.byKey().values()) {
      if (!validName(f.keyNode(), f.key(), "attachment class")) {
        continue;
      }
      YamlTree.Fields c =
          y.fields(
              f.value(),
              "attachment class '" + f.key() + "'",
              Set.of("description", "categories", "types"));
      if (c == null) {
        continue;
      }
      if (!c.has("categories") && !c.has("types")) {
        y.error(f.keyNode(), "attachment class '" + f.key() + "' needs 'categories' or 'types'");
        continue;
      }
      Set<String> categories = c.has("categories") ? categories(c.value("categories")) : Set.of();
      Set<String> types = c.has("types") ? types(c.value("types")) : Set.of();
      if (categories != null && types != null) {
        classes.put(
            f.key(),
            new Named.AttachmentClass(f.key(), categories, types, y.location(f.keyNode())));
      }
    }
    markInvalid(fs, classes, "attachment class");
  }

  private Set<String> categories(Node n) {
    return known(n, "categories", CATEGORIES, "attachment category");
  }

  Set<String> types(Node n) {
    List<ScalarNode> items = y.scalars(n, "types");
    if (items == null) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    for (ScalarNode item : items) {
      String t = item.getValue().strip().toLowerCase(Locale.ROOT);
      if (!MIME_TYPE.matcher(t).matches()) {
        y.error(
            item, "'" + item.getValue() + "' is not a MIME type such as application/x-msdownload");
        return null;
      }
      out.add(t);
    }
    return out;
  }

  Set<String> known(Node n, String what, Set<String> allowed, String noun) {
    List<ScalarNode> items = y.scalars(n, what);
    if (items == null) {
      return null;
    }
    Set<String> out = new LinkedHashSet<>();
    boolean ok = true;
    for (ScalarNode item : items) {
      if (!allowed.contains(item.getValue())) {
        y.error(
            item,
            "unknown "
                + noun
                + " '"
                + item.getValue()
                + "'"
                + YamlTree.suggestion(item.getValue(), allowed));
        ok = false;
      }
      out.add(item.getValue());
    }
    return ok ? out : null;
  }

  void readWindows(Node n) {
    if (n == null) {
      return;
    }
    YamlTree.Fields fs = y.fields(n, "time-windows", null);
    if (fs == null) {
      return;
    }
    for (YamlTree.Field f : fs.byKey().values()) {
      if (!validName(f.keyNode(), f.key(), "time window")) {
        continue;
      }
      YamlTree.Fields w =
          y.fields(
              f.value(),
              "time window '" + f.key() + "'",
              Set.of("description", "days", "from", "to", "zone"));
      if (w == null) {
        continue;
      }
      boolean[] days = new boolean[7];
      boolean ok = true;
      if (w.has("days")) {
        List<ScalarNode> items = y.scalars(w.value("days"), "days");
        ok = items != null;
        for (ScalarNode item : items == null ? List.<ScalarNode>of() : items) {
          ok &= days(item, days);
        }
      } else {
        java.util.Arrays.fill(days, true);
      }
      Integer from = time(w, "from");
      Integer to = time(w, "to");
      ZoneId zone = ZoneOffset.UTC;
      if (w.has("zone")) {
        String z = y.scalar(w.value("zone"), "zone");
        try {
          zone = z == null ? null : ZoneId.of(z);
        } catch (DateTimeException e) {
          y.error(
              w.value("zone"), "unknown time zone '" + z + "' (use a name such as Europe/Berlin)");
          zone = null;
        }
      }
      if (from != null && from.equals(to)) {
        y.error(w.value("to"), "'from' and 'to' are equal; a window must not be empty");
        ok = false;
      }
      if (ok && from != null && to != null && zone != null) {
        windows.put(
            f.key(),
            new Named.Window(
                new TimeWindow(f.key(), days, from, to, zone), y.location(f.keyNode())));
      }
    }
    markInvalid(fs, windows, "time window");
  }

  private boolean days(ScalarNode item, boolean[] days) {
    String v = item.getValue().strip().toLowerCase(Locale.ROOT);
    int dash = v.indexOf('-');
    int first = DAYS.indexOf(dash < 0 ? v : v.substring(0, dash));
    int last = dash < 0 ? first : DAYS.indexOf(v.substring(dash + 1));
    if (first < 0 || last < 0) {
      y.error(
          item, "'" + item.getValue() + "' is not a day (mon … sun) or a range such as mon-fri");
      return false;
    }
    for (int d = first; ; d = (d + 1) % 7) {
      days[d] = true;
      if (d == last) {
        return true;
      }
    }
  }

  private Integer time(YamlTree.Fields w, String key) {
    Node n = w.value(key);
    if (n == null) {
      y.error(w.node(), "time window needs '" + key + "' (HH:MM)");
      return null;
    }
    String s = y.scalar(n, key);
    if (s == null) {
      return null;
    }
    if (!HH_MM.matcher(s).matches()) {
      y.error(n, "'" + key + "' must be a time HH:MM such as 07:30, not '" + s + "'");
      return null;
    }
    return Integer.parseInt(s.substring(0, 2)) * 3600 + Integer.parseInt(s.substring(3)) * 60;
  }

  String upstreamRef(Node n) {
    String name = y.scalar(n, "upstream");
    if (name == null) {
      return null;
    }
    if (!upstreams.containsKey(name)) {
      if (!invalid.contains("upstream " + name)) {
        y.error(n, "undefined upstream '" + name + "'" + declared(upstreams.keySet()));
      }
      return null;
    }
    used.add("upstream " + name);
    return name;
  }

  private static String declared(Set<String> names) {
    return names.isEmpty()
        ? " (none is declared)"
        : " (declared: " + String.join(", ", new java.util.TreeSet<>(names)) + ")";
  }

  /**
   * The objects a condition refers to, or null if the key is absent or a reference does not resolve
   * (reported, unless the object itself was declared with errors).
   */
  <T> List<T> refs(YamlTree.Fields fs, String key, Map<String, T> declared, String noun) {
    if (!fs.has(key)) {
      return null;
    }
    List<ScalarNode> items = y.scalars(fs.value(key), key);
    if (items == null) {
      return null;
    }
    List<T> out = new ArrayList<>();
    boolean complete = true;
    for (ScalarNode item : items) {
      T t = declared.get(item.getValue());
      if (t != null) {
        used.add(noun + " " + item.getValue());
        out.add(t);
        continue;
      }
      complete = false;
      if (!invalid.contains(noun + " " + item.getValue())) {
        y.error(
            item, "undefined " + noun + " '" + item.getValue() + "'" + declared(declared.keySet()));
      }
    }
    return complete ? out : null;
  }

  /** Warns about declared objects that no rule or default refers to. */
  void warnUnused() {
    warnIfUnused(
        networks.values().stream()
            .map(n -> Map.entry("network " + n.name(), n.location()))
            .toList());
    warnIfUnused(
        groups.values().stream().map(n -> Map.entry("group " + n.name(), n.location())).toList());
    warnIfUnused(
        upstreams.values().stream()
            .filter(u -> u.location().file().equals(source))
            .map(n -> Map.entry("upstream " + n.name(), n.location()))
            .toList());
    warnIfUnused(
        classes.values().stream()
            .map(n -> Map.entry("attachment class " + n.name(), n.location()))
            .toList());
    warnIfUnused(
        windows.values().stream()
            .map(n -> Map.entry("time window " + n.window().name(), n.location()))
            .toList());
  }

  private void warnIfUnused(List<Map.Entry<String, Location>> declaredObjects) {
    for (var e : declaredObjects) {
      if (!used.contains(e.getKey())) {
        y.problems()
            .add(
                new Problem(
                    e.getValue(),
                    e.getKey() + " is declared but no rule uses it",
                    Problem.Severity.WARNING));
      }
    }
  }
}
