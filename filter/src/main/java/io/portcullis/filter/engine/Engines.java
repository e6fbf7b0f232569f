package io.portcullis.filter.engine;

import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import java.util.List;

/** Shared failure handling: any problem talking to an engine is one {@code scan-error} finding. */
final class Engines {

  private Engines() {}

  static List<Finding> failure(String engine, String what, Exception e) {
    return List.of(
        new Finding(
            engine + "-error",
            Label.SCAN_ERROR,
            0,
            engine + " " + what + ": " + e.getClass().getSimpleName(),
            "message"));
  }

  static List<Finding> failure(String engine, String what) {
    return List.of(
        new Finding(engine + "-error", Label.SCAN_ERROR, 0, engine + " " + what, "message"));
  }

  /** Text from an engine, made safe for a reason string: printable ASCII, bounded. */
  static String safe(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && sb.length() < 200; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString();
  }
}
