package io.portcullis.filter.attachment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which attachments are dangerous, as data: categories, true types and file extensions that are
 * denied, and true types that are always allowed (an allow entry wins over a category). Loaded from
 * YAML ({@code attachment-rules.yml} holds the defaults). Immutable and thread-safe.
 *
 * @param denyCategories category ids from {@link Categories} that make an attachment dangerous
 * @param denyTypes true MIME types that make an attachment dangerous
 * @param denyExtensions file extensions (lower case, no dot) that make an attachment dangerous
 * @param allowTypes true MIME types that are never dangerous by category (e.g. a vendor's signed
 *     MSI)
 */
public record AttachmentRules(
    @JsonProperty("deny-categories") Set<String> denyCategories,
    @JsonProperty("deny-types") Set<String> denyTypes,
    @JsonProperty("deny-extensions") Set<String> denyExtensions,
    @JsonProperty("allow-types") Set<String> allowTypes) {

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory()).enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public AttachmentRules {
    denyCategories = lower(denyCategories);
    denyTypes = lower(denyTypes);
    denyExtensions = lower(denyExtensions);
    allowTypes = lower(allowTypes);
    for (String category : denyCategories) {
      if (!Categories.ALL.contains(category)) {
        throw new IllegalArgumentException("deny-categories: unknown category '" + category + "'");
      }
    }
  }

  private static Set<String> lower(Set<String> values) {
    if (values == null) {
      return Set.of();
    }
    return values.stream()
        .map(v -> v.trim().toLowerCase(Locale.ROOT))
        .map(v -> v.startsWith(".") ? v.substring(1) : v)
        .collect(Collectors.toUnmodifiableSet());
  }

  /** The built-in rules (resource {@code attachment-rules.yml}). */
  public static AttachmentRules defaults() {
    try (InputStream in = AttachmentRules.class.getResourceAsStream("attachment-rules.yml")) {
      if (in == null) {
        throw new IllegalStateException("attachment-rules.yml missing from the classpath");
      }
      return load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Rules from YAML with the keys {@code deny-categories}, {@code deny-types}, {@code
   * deny-extensions} and {@code allow-types}.
   *
   * @throws IOException if the YAML is invalid or names an unknown key or category
   */
  public static AttachmentRules load(InputStream yaml) throws IOException {
    try {
      AttachmentRules rules = YAML.readValue(yaml, AttachmentRules.class);
      if (rules == null) {
        throw new IOException("attachment rules: empty document");
      }
      return rules;
    } catch (IllegalArgumentException e) {
      throw new IOException("attachment rules: " + e.getMessage(), e);
    }
  }

  /** The reason an attachment with this type, extension and categories is denied, or null. */
  String denial(String trueType, String extension, Set<String> categories) {
    if (allowTypes.contains(trueType)) {
      return null;
    }
    if (denyTypes.contains(trueType)) {
      return "type " + trueType + " is denied";
    }
    if (!extension.isEmpty() && denyExtensions.contains(extension)) {
      return "extension ." + extension + " is denied";
    }
    for (String category : categories) {
      if (denyCategories.contains(category)) {
        return "category " + category + " is denied";
      }
    }
    return null;
  }
}
