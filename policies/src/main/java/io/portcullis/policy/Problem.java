package io.portcullis.policy;

import java.util.Objects;

/**
 * One validation finding with its position; {@link #toString()} is the literal message shown to
 * operators ({@code file:line:column: problem}). Immutable.
 *
 * @param location where the problem is
 * @param message what is wrong, without the location prefix
 * @param severity errors reject the policy, warnings are printed by {@code policy check}
 */
public record Problem(Location location, String message, Severity severity) {

  /** Whether a problem rejects the policy. */
  public enum Severity {
    /** The policy is rejected. */
    ERROR,
    /** The policy loads; {@code policy check} prints it. */
    WARNING
  }

  public Problem {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(severity, "severity");
  }

  @Override
  public String toString() {
    return severity == Severity.ERROR
        ? location + ": " + message
        : location + ": warning: " + message;
  }
}
