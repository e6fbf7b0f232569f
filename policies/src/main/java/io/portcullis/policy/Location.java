package io.portcullis.policy;

import java.util.Objects;

/**
 * A position in a policy source: file name, 1-based line and column. Immutable.
 *
 * @param file the source name as given to the loader (a path, or {@code <built-in>})
 * @param line 1-based line
 * @param column 1-based column
 */
public record Location(String file, int line, int column) {

  public Location {
    Objects.requireNonNull(file, "file");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column must not be negative");
    }
  }

  /** {@code file:line:column}, the prefix of every validation message. */
  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
