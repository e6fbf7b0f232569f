package io.portcullis.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A validated, compiled policy: named objects, ordered rules per section and section defaults.
 * Immutable and thread-safe; loading has no side effects, so hot reload is "load, then swap a
 * reference" and sessions keep the decisions they already got.
 */
public final class Policy {

  static final String BUILT_IN_SOURCE = "<built-in>";
  private static final String BUILT_IN_RESOURCE = "builtin-default.yml";

  private static final Policy BUILT_IN = loadBuiltIn();

  private final String sourceName;
  private final String sourceText;
  private final Map<String, Named.Network> networks;
  private final Map<String, Named.Group> groups;
  private final Map<String, Named.Upstream> upstreams;
  private final Map<String, Named.AttachmentClass> attachmentClasses;
  private final Map<String, Named.Window> timeWindows;
  final List<Rule<AccessDecision>> access;
  final List<Rule<RoutingDecision>> routing;
  final List<Rule<ScanDecision>> scanning;
  final List<Rule<FilterDecision>> filtering;
  final AccessDecision accessDefault;
  final RoutingDecision routingDefault;
  final ScanDecision scanDefault;
  final FilterDecision filterDefault;
  private final List<Problem> warnings;

  @SuppressWarnings(
      "checkstyle:ParameterNumber") // one immutable aggregate, built only by the loader
  Policy(
      String sourceName,
      String sourceText,
      Map<String, Named.Network> networks,
      Map<String, Named.Group> groups,
      Map<String, Named.Upstream> upstreams,
      Map<String, Named.AttachmentClass> attachmentClasses,
      Map<String, Named.Window> timeWindows,
      List<Rule<AccessDecision>> access,
      List<Rule<RoutingDecision>> routing,
      List<Rule<ScanDecision>> scanning,
      List<Rule<FilterDecision>> filtering,
      AccessDecision accessDefault,
      RoutingDecision routingDefault,
      ScanDecision scanDefault,
      FilterDecision filterDefault,
      List<Problem> warnings) {
    this.sourceName = sourceName;
    this.sourceText = sourceText;
    this.networks = Map.copyOf(networks);
    this.groups = Map.copyOf(groups);
    this.upstreams = Map.copyOf(upstreams);
    this.attachmentClasses = Map.copyOf(attachmentClasses);
    this.timeWindows = Map.copyOf(timeWindows);
    this.access = List.copyOf(access);
    this.routing = List.copyOf(routing);
    this.scanning = List.copyOf(scanning);
    this.filtering = List.copyOf(filtering);
    this.accessDefault = accessDefault;
    this.routingDefault = routingDefault;
    this.scanDefault = scanDefault;
    this.filterDefault = filterDefault;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * The policy used when no policy file is configured: every authenticated user may connect with
   * any mechanism (TOTP if enrolled), mail goes to the upstream named {@code default} with the
   * client's credentials, everything up to 50 MiB is scanned, dangerous and phishing mail is
   * quarantined, spam goes to Junk, a failed scan quarantines. {@link #sourceText()} is its YAML.
   */
  public static Policy builtInDefault() {
    return BUILT_IN;
  }

  /** The name the policy was loaded under (a path, or {@code <built-in>}). */
  public String sourceName() {
    return sourceName;
  }

  /** The YAML text the policy was loaded from; for the built-in default, its full definition. */
  public String sourceText() {
    return sourceText;
  }

  /** Warnings found while loading ({@code policy check} prints them). */
  public List<Problem> warnings() {
    return warnings;
  }

  /** The upstream names this policy can route to; the gateway checks each is configured. */
  public java.util.Set<String> upstreamNames() {
    return upstreams.keySet();
  }

  /** Every rule id, in section and evaluation order. */
  public List<String> ruleIds() {
    return allRules().map(r -> r.ref().id()).toList();
  }

  Stream<Rule<?>> allRules() {
    return Stream.of(access, routing, scanning, filtering).flatMap(List::stream);
  }

  Map<String, Named.Network> networks() {
    return networks;
  }

  Map<String, Named.Group> groups() {
    return groups;
  }

  Map<String, Named.Upstream> upstreams() {
    return upstreams;
  }

  Map<String, Named.AttachmentClass> attachmentClasses() {
    return attachmentClasses;
  }

  Map<String, Named.Window> timeWindows() {
    return timeWindows;
  }

  private static Policy loadBuiltIn() {
    try (InputStream in = Policy.class.getResourceAsStream(BUILT_IN_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + BUILT_IN_RESOURCE);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new PolicyCompiler(BUILT_IN_SOURCE, text, null).compile();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PolicyException e) {
      throw new IllegalStateException(
          "the built-in default policy is invalid:\n" + e.getMessage(), e);
    }
  }
}
