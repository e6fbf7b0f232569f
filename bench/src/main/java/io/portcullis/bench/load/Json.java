package io.portcullis.bench.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The few JSON shapes the generator prints: objects and arrays of numbers, strings and objects. */
final class Json {
  private Json() {}

  /** An ordered JSON object. Not thread-safe. */
  static final class Obj {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    Obj put(String key, Object value) {
      fields.put(key, value);
      return this;
    }

    @Override
    public String toString() {
      StringBuilder out = new StringBuilder("{");
      fields.forEach(
          (k, v) -> {
            if (out.length() > 1) {
              out.append(',');
            }
            out.append(quote(k)).append(':').append(value(v));
          });
      return out.append('}').toString();
    }

    private static String value(Object v) {
      return switch (v) {
        case null -> "null";
        case Double d when d.isNaN() || d.isInfinite() -> "null";
        case Double d -> String.format(Locale.ROOT, "%.4f", d);
        case Number n -> n.toString();
        case Boolean b -> b.toString();
        case Obj o -> o.toString();
        case List<?> list -> {
          StringBuilder out = new StringBuilder("[");
          for (Object item : list) {
            if (out.length() > 1) {
              out.append(',');
            }
            out.append(value(item));
          }
          yield out.append(']').toString();
        }
        default -> quote(v.toString());
      };
    }
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
