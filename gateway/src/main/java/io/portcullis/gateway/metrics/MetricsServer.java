package io.portcullis.gateway.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code GET /metrics} over plain HTTP for a Prometheus scraper. One daemon thread serves it:
 * scrapes are rare and small, and this keeps the mail event loops out of it. Bind it to loopback or
 * a management network (docs/operations.md); it carries no user data.
 */
public final class MetricsServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "portcullis-metrics");
            t.setDaemon(true);
            return t;
          });

  private MetricsServer(HttpServer server) {
    this.server = server;
  }

  /** Starts serving {@code metrics} on {@code address} (port 0: any free port). */
  public static MetricsServer start(InetSocketAddress address, GatewayMetrics metrics)
      throws IOException {
    HttpServer server = HttpServer.create(address, 16);
    MetricsServer m = new MetricsServer(server);
    server.createContext("/", exchange -> m.handle(exchange, metrics));
    server.setExecutor(m.executor);
    server.start();
    return m;
  }

  private void handle(HttpExchange exchange, GatewayMetrics metrics) throws IOException {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!path.equals("/metrics")) {
        reply(exchange, 404, "text/plain", "not found: try /metrics\n");
      } else if (!exchange.getRequestMethod().equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET");
        reply(exchange, 405, "text/plain", "GET only\n");
      } else {
        reply(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The bound address (with the real port when 0 was asked for). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
