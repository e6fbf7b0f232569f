package io.portcullis.filter.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * rspamd's normal worker over HTTP ({@code POST /checkv2}, JSON reply with {@code score}, {@code
 * required_score}, {@code action} and {@code symbols}). Actions that reject or mark a message mean
 * {@code spam}; a symbol whose name contains PHISHING means {@code phishing}. Thread-safe.
 */
public final class RspamdEngine implements ExternalEngine {

  private static final Set<String> SPAM_ACTIONS =
      Set.of("reject", "rewrite subject", "add header", "soft reject");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI checkUri;
  private final Duration timeout;
  private final HttpClient client;

  /**
   * @param base the worker's base URI, e.g. {@code http://127.0.0.1:11333}
   */
  public RspamdEngine(URI base, Duration timeout) {
    this.checkUri = base.resolve("/checkv2");
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @Override
  public String name() {
    return "rspamd";
  }

  @Override
  public List<Finding> scan(Supplier<InputStream> message, long size) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(checkUri)
              .timeout(timeout)
              .POST(
                  HttpRequest.BodyPublishers.fromPublisher(
                      HttpRequest.BodyPublishers.ofInputStream(message), size))
              .build();
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        return Engines.failure(name(), "answered HTTP " + response.statusCode());
      }
      JsonNode reply = JSON.readTree(response.body());
      if (reply == null || !reply.path("score").isNumber() || !reply.path("action").isTextual()) {
        return Engines.failure(name(), "answered without score and action");
      }
      String action = reply.get("action").asText();
      List<String> symbols = new ArrayList<>();
      boolean phishing = false;
      for (Iterator<String> it = reply.path("symbols").fieldNames(); it.hasNext(); ) {
        String s = it.next();
        symbols.add(s);
        phishing |= s.toUpperCase(java.util.Locale.ROOT).contains("PHISHING");
      }
      symbols.sort(null);
      String reason =
          "rspamd score "
              + reply.get("score").asDouble()
              + " / "
              + reply.path("required_score").asDouble()
              + ", action '"
              + Engines.safe(action)
              + "'"
              + (symbols.isEmpty() ? "" : ": " + Engines.safe(String.join(",", symbols)));
      List<Finding> findings = new ArrayList<>();
      findings.add(
          new Finding(
              "rspamd", SPAM_ACTIONS.contains(action) ? Label.SPAM : null, 0, reason, "message"));
      if (phishing) {
        findings.add(
            new Finding(
                "rspamd-phishing",
                Label.PHISHING,
                0,
                "rspamd reports a phishing symbol",
                "message"));
      }
      return findings;
    } catch (IOException | RuntimeException e) {
      return Engines.failure(name(), "did not answer", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Engines.failure(name(), "was interrupted", e);
    }
  }
}
