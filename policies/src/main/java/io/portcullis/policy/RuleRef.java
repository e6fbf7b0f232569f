package io.portcullis.policy;

import java.util.Objects;

/**
 * Which rule made a decision: its id, section and position in the policy source. Defaults are
 * reported with the id {@code defaults}. Immutable.
 *
 * @param id the rule id ({@code defaults} for a section default)
 * @param section access, routing, scanning or filtering
 * @param location where the rule starts in the policy source
 * @param monitor whether the rule is in monitor mode (its decision was logged, not applied)
 */
public record RuleRef(String id, String section, Location location, boolean monitor) {

  public RuleRef {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(section, "section");
    Objects.requireNonNull(location, "location");
  }

  /** Whether this is a section default rather than a rule. */
  public boolean isDefault() {
    return id.equals("defaults");
  }

  @Override
  public String toString() {
    return (isDefault() ? "defaults." + section : "rule '" + id + "'")
        + " ("
        + location
        + (monitor ? ", monitor" : "")
        + ")";
  }
}
