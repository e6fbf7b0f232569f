package io.portcullis.auth.audit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Formats {@link AuthEvent}s as JSON lines (one object per line, no embedded newline: JSON escapes
 * control characters). Free-text fields are cut to a bound so that a client cannot flood the log.
 * Stateless and thread-safe.
 */
public final class AuditFormatter {
  private static final JsonFactory JSON = new JsonFactory();

  /** A user name longer than this is cut; real ones are far shorter (THREATS P3). */
  static final int MAX_FIELD = 256;

  private AuditFormatter() {}

  /** The event as one line of JSON, without the trailing newline. */
  public static String toJsonLine(AuthEvent event) {
    StringWriter out = new StringWriter();
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("time", event.time().toString());
      json.writeStringField(
          "event", event.type().name().toLowerCase(Locale.ROOT).replace('_', '-'));
      writeIfPresent(json, "session", event.sessionId());
      writeIfPresent(json, "source", event.source());
      json.writeStringField("protocol", cut(event.protocol()));
      json.writeStringField("user", cut(event.user()));
      json.writeStringField("mechanism", cut(event.mechanism()));
      if (!event.factors().isEmpty()) {
        json.writeArrayFieldStart("factors");
        for (var factor : event.factors().stream().sorted().toList()) {
          json.writeString(factor.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        json.writeEndArray();
      }
      json.writeStringField("outcome", event.outcome().name().toLowerCase(Locale.ROOT));
      writeIfPresent(json, "reason", event.reason());
      if (!event.throttleDelay().isZero()) {
        json.writeNumberField("delay_ms", event.throttleDelay().toMillis());
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a StringWriter does not fail", e);
    }
    return out.toString();
  }

  private static void writeIfPresent(JsonGenerator json, String name, String value)
      throws IOException {
    if (!value.isEmpty()) {
      json.writeStringField(name, cut(value));
    }
  }

  private static String cut(String value) {
    return value.length() <= MAX_FIELD ? value : value.substring(0, MAX_FIELD) + "…";
  }
}
