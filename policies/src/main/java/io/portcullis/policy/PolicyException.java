package io.portcullis.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy source that could not be loaded; carries every error found, each with its position. */
public final class PolicyException extends Exception {

  private final transient List<Problem> problems;

  PolicyException(List<Problem> problems) {
    super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  /** The errors (and any warnings found before loading stopped), in source order. */
  public List<Problem> problems() {
    return problems;
  }
}
