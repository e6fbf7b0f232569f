package io.portcullis.gateway.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.IgnoredPropertyException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the YAML configuration into {@link GatewayConfig}. Unknown keys and bad values are errors
 * that name the file, line, key, value and what was expected. Thread-safe.
 */
public final class ConfigLoader {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

  private static final ObjectMapper MAPPER = createMapper();

  private ConfigLoader() {}

  /**
   * Loads and validates one YAML file (cross-key rules are {@link GatewayConfig#checkRunnable}).
   */
  public static GatewayConfig load(Path file) throws ConfigException {
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot be read (" + e.getMessage() + ")");
    }
    return parse(file.toString(), text);
  }

  /** Parses YAML text; {@code origin} names it in messages. */
  public static GatewayConfig parse(String origin, String yaml) throws ConfigException {
    if (yaml.isBlank()) {
      return GatewayConfig.empty();
    }
    try {
      GatewayConfig config = MAPPER.readValue(yaml, GatewayConfig.class);
      return config == null ? GatewayConfig.empty() : config;
    } catch (JsonMappingException e) {
      throw new ConfigException(describe(origin, yaml, e));
    } catch (JsonProcessingException e) {
      throw new ConfigException(
          origin + where(e.getLocation()) + ": not valid YAML (" + e.getOriginalMessage() + ")");
    }
  }

  /**
   * Parses a duration: {@code 500ms}, {@code 60s}, {@code 10m}, {@code 1h}, {@code 7d} or ISO-8601.
   */
  public static Duration parseDuration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    Matcher m = DURATION.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        default -> Duration.ofDays(n);
      };
    }
    try {
      return Duration.parse(text.trim());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a duration (expected e.g. 500ms, 60s, 10m, 1h, 7d)");
    }
  }

  private static String describe(String origin, String yaml, JsonMappingException e) {
    String key =
        e.getPath().stream()
            .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    String last = e.getPath().isEmpty() ? null : e.getPath().getLast().getFieldName();
    String at = origin + locate(yaml, last).orElse(where(e.getLocation())) + ": ";
    if (e instanceof UnrecognizedPropertyException u) {
      return at
          + "unknown key '"
          + key
          + "' (expected one of: "
          + known(u.getKnownPropertyIds())
          + ")";
    }
    if (e instanceof IgnoredPropertyException) {
      return at + "key '" + key + "' is not allowed here";
    }
    if (e instanceof ValueInstantiationException || e.getCause() instanceof RuntimeException) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return at + (key.isEmpty() ? "" : key + ": ") + cause.getMessage();
    }
    if (e instanceof InvalidFormatException f) {
      return at
          + key
          + ": '"
          + f.getValue()
          + "' is not a valid "
          + f.getTargetType().getSimpleName().toLowerCase(Locale.ROOT);
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return at + key + ": expected " + describeType(m.getTargetType());
    }
    return at + key + ": " + e.getOriginalMessage();
  }

  private static String describeType(Class<?> type) {
    if (Collection.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == Integer.class || type == int.class || type == Long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type.isRecord()) {
      return "a mapping of keys";
    }
    return "a " + type.getSimpleName();
  }

  private static String known(Collection<Object> ids) {
    return new TreeSet<>(ids.stream().map(String::valueOf).toList())
        .stream().collect(Collectors.joining(", "));
  }

  /**
   * Jackson's YAML locations point past the offending value; the line that defines the key is what
   * a person needs. The first definition of the key's name is used, which is exact for unique keys.
   */
  private static java.util.Optional<String> locate(String yaml, String key) {
    if (key == null) {
      return java.util.Optional.empty();
    }
    Pattern definition = Pattern.compile("^(\\s*(?:-\\s+)?)" + Pattern.quote(key) + "\\s*:");
    String[] lines = yaml.split("\\R", -1);
    for (int i = 0; i < lines.length; i++) {
      Matcher m = definition.matcher(lines[i]);
      if (m.find()) {
        return java.util.Optional.of(":" + (i + 1) + ":" + (m.group(1).length() + 1));
      }
    }
    return java.util.Optional.empty();
  }

  private static String where(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return ":" + location.getLineNr() + ":" + location.getColumnNr();
  }

  private static ObjectMapper createMapper() {
    SimpleModule module = new SimpleModule("portcullis-config");
    module.addDeserializer(
        Endpoint.class,
        new JsonDeserializer<>() {
          @Override
          public Endpoint deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            return Endpoint.parse(p.getValueAsString());
          }
        });
    module.addDeserializer(
        Duration.class,
        new JsonDeserializer<>() {
          @Override
          public Duration deserialize(JsonParser p, DeserializationContext ctxt)
              throws IOException {
            return parseDuration(p.getValueAsString());
          }
        });
    return JsonMapper.builder(new YAMLFactory())
        .addModule(module)
        .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .build();
  }
}
