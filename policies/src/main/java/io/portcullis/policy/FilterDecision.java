package io.portcullis.policy;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What happens to one message. For {@link FilterAction#STRIP}, the attachments to strip are those
 * whose category or true type is listed here. Immutable.
 *
 * @param action the action
 * @param tag how the message is marked, present exactly when the action is {@code tag}
 * @param stripCategories attachment categories to strip (only for {@code strip})
 * @param stripTypes true MIME types to strip (only for {@code strip})
 * @param rule the rule that decided (a scanning rule for over-limit and scan-error outcomes)
 * @param monitored what monitor-mode rules would have decided
 */
public record FilterDecision(
    FilterAction action,
    Optional<Tag> tag,
    Set<String> stripCategories,
    Set<String> stripTypes,
    RuleRef rule,
    List<FilterDecision> monitored)
    implements Decision {

  public FilterDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(tag, "tag");
    stripCategories = Set.copyOf(stripCategories);
    stripTypes = Set.copyOf(stripTypes);
    Objects.requireNonNull(rule, "rule");
    monitored = List.copyOf(monitored);
    if (tag.isPresent() != (action == FilterAction.TAG)) {
      throw new IllegalArgumentException("a tag is given exactly for the tag action");
    }
    boolean strips = !stripCategories.isEmpty() || !stripTypes.isEmpty();
    if (strips != (action == FilterAction.STRIP)) {
      throw new IllegalArgumentException("attachments to strip are given exactly for strip");
    }
  }

  FilterDecision withMonitored(List<FilterDecision> monitoredDecisions) {
    return new FilterDecision(action, tag, stripCategories, stripTypes, rule, monitoredDecisions);
  }
}
