package io.portcullis.gateway.config;

import java.util.List;

/** A configuration that cannot be used; the message names each key and problem, one per line. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join(System.lineSeparator(), problems));
    this.problems = List.copyOf(problems);
  }

  public ConfigException(String problem) {
    this(List.of(problem));
  }

  /** Each problem, one per entry, starting with the key (and location) it concerns. */
  public List<String> problems() {
    return problems;
  }
}
