package io.portcullis.auth.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What the server tells a bearer client in its error challenge (RFC 7628 §3.2.2, RFC 6750 §3.1).
 *
 * @param status an RFC 6750 error code: {@code invalid_token}, {@code invalid_request}, {@code
 *     insufficient_scope}
 * @param scope the scope the client should request, empty to omit
 * @param openidConfiguration the issuer's discovery URL, empty to omit
 */
public record BearerError(String status, String scope, String openidConfiguration) {
  public BearerError {
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(openidConfiguration, "openidConfiguration");
  }

  /** {@code invalid_token} with nothing else. */
  public static BearerError invalidToken() {
    return new BearerError("invalid_token", "", "");
  }

  /** The JSON body for OAUTHBEARER. */
  byte[] oauthBearerJson() {
    StringBuilder json = new StringBuilder("{\"status\":").append(quote(status));
    if (!scope.isEmpty()) {
      json.append(",\"scope\":").append(quote(scope));
    }
    if (!openidConfiguration.isEmpty()) {
      json.append(",\"openid-configuration\":").append(quote(openidConfiguration));
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON body Google and Microsoft send for XOAUTH2 (an HTTP-like status and the scheme). */
  byte[] xoauth2Json() {
    StringBuilder json = new StringBuilder("{\"status\":\"401\",\"schemes\":\"bearer\"");
    if (!scope.isEmpty()) {
      json.append(",\"scope\":").append(quote(scope));
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
