package io.portcullis.auth.bearer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.Map;

/**
 * RFC 7662 token introspection for opaque tokens. Blocking; called off the event loop. Thread-safe.
 */
final class Introspector {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RESPONSE_BYTES = 64 * 1024;

  private final BearerSettings.Introspection config;
  private final BearerSettings settings;
  private final HttpClient http;

  Introspector(BearerSettings.Introspection config, BearerSettings settings) {
    this.config = config;
    this.settings = settings;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(settings.httpTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * Asks the endpoint about {@code token}.
   *
   * @return the claims of an active token
   * @throws ClaimsPolicy.Rejected if the token is not active
   * @throws IOException if the endpoint cannot be reached or answers badly
   */
  JWTClaimsSet introspect(String token) throws IOException, ClaimsPolicy.Rejected {
    String credentials =
        URLEncoder.encode(config.clientId(), StandardCharsets.UTF_8)
            + ":"
            + URLEncoder.encode(config.clientSecret().reveal(), StandardCharsets.UTF_8);
    String form =
        "token="
            + URLEncoder.encode(token, StandardCharsets.UTF_8)
            + "&token_type_hint=access_token";
    HttpRequest request =
        HttpRequest.newBuilder(config.endpoint())
            .timeout(settings.httpTimeout())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .header(
                "Authorization",
                "Basic "
                    + Base64.getEncoder()
                        .encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    HttpResponse<byte[]> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted");
    }
    if (response.statusCode() != 200) {
      throw new IOException("introspection endpoint answered HTTP " + response.statusCode());
    }
    if (response.body().length > MAX_RESPONSE_BYTES) {
      throw new IOException("introspection response too large");
    }
    Map<String, Object> body = JSON.readValue(response.body(), new TypeReference<>() {});
    if (!Boolean.TRUE.equals(body.get("active"))) {
      throw new ClaimsPolicy.Rejected("inactive-token");
    }
    try {
      return JWTClaimsSet.parse(body);
    } catch (ParseException e) {
      throw new IOException("introspection response has malformed claims");
    }
  }
}
