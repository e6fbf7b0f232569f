package io.portcullis.filter.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.filter.FilterSettings;
import io.portcullis.filter.Finding;
import io.portcullis.filter.Label;
import io.portcullis.filter.MessageAnalyzer;
import io.portcullis.filter.Verdict;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine clients against small real loopback servers that speak each protocol as documented.
 */
class EnginesTest {

  @TempDir Path scratch;

  private static final byte[] MESSAGE =
      "From: a@example.org\r\nSubject: hi\r\n\r\nhello\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private ServerSocket server;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    if (server != null) {
      server.close();
    }
  }

  private static Supplier<InputStream> message() {
    return () -> new ByteArrayInputStream(MESSAGE);
  }

  /**
   * Serves one connection with {@code handler} on a virtual thread; returns what the handler saw.
   */
  private CompletableFuture<byte[]> serveOnce(Handler handler) throws IOException {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    CompletableFuture<byte[]> seen = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = server.accept()) {
                seen.complete(handler.handle(s));
              } catch (Exception e) {
                seen.completeExceptionally(e);
              }
            });
    return seen;
  }

  @FunctionalInterface
  interface Handler {
    byte[] handle(Socket s) throws Exception;
  }

  private InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
  }

  /** Reads a zINSTREAM request exactly as clamd does and returns the streamed bytes. */
  private static byte[] readInstream(Socket s) throws IOException {
    DataInputStream in = new DataInputStream(s.getInputStream());
    byte[] command = new byte[10];
    in.readFully(command);
    assertThat(new String(command, StandardCharsets.US_ASCII)).isEqualTo("zINSTREAM\0");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    int len;
    while ((len = in.readInt()) > 0) {
      data.write(in.readNBytes(len));
    }
    return data.toByteArray();
  }

  @Test
  void clamdShouldStreamTheMessageInChunksAndReportAFoundSignature() throws Exception {
    CompletableFuture<byte[]> seen =
        serveOnce(
            s -> {
              byte[] data = readInstream(s);
              s.getOutputStream()
                  .write(
                      "stream: Eicar-Test-Signature FOUND\0".getBytes(StandardCharsets.US_ASCII));
              return data;
            });

    List<Finding> findings = new ClamdEngine(address(), TIMEOUT).scan(message(), MESSAGE.length);

    assertThat(seen.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(MESSAGE);
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.label()).isEqualTo(Label.DANGEROUS_ATTACHMENT);
              assertThat(f.reason()).contains("Eicar-Test-Signature");
            });
  }

  @Test
  void clamdOkShouldAddNothing() throws Exception {
    serveOnce(
        s -> {
          readInstream(s);
          s.getOutputStream().write("stream: OK\0".getBytes(StandardCharsets.US_ASCII));
          return new byte[0];
        });

    assertThat(new ClamdEngine(address(), TIMEOUT).scan(message(), MESSAGE.length)).isEmpty();
  }

  @Test
  void clamdThatNeverAnswersShouldBeAScanErrorAfterTheTimeout() throws Exception {
    serveOnce(
        s -> {
          readInstream(s);
          release.await(); // holds the connection open without answering
          return new byte[0];
        });

    List<Finding> findings = new ClamdEngine(address(), TIMEOUT).scan(message(), MESSAGE.length);

    assertThat(findings).singleElement().extracting(Finding::label).isEqualTo(Label.SCAN_ERROR);
  }

  @Test
  void clamdSizeLimitErrorShouldBeAScanError() throws Exception {
    serveOnce(
        s -> {
          readInstream(s);
          s.getOutputStream()
              .write("INSTREAM size limit exceeded. ERROR\0".getBytes(StandardCharsets.US_ASCII));
          return new byte[0];
        });

    assertThat(new ClamdEngine(address(), TIMEOUT).scan(message(), MESSAGE.length))
        .singleElement()
        .extracting(Finding::label)
        .isEqualTo(Label.SCAN_ERROR);
  }

  @Test
  void aRefusedConnectionShouldBeAScanError() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }

    List<Finding> findings =
        new ClamdEngine(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TIMEOUT)
            .scan(message(), MESSAGE.length);

    assertThat(findings).singleElement().extracting(Finding::rule).isEqualTo("clamd-error");
  }

  @Test
  void spamdShouldSendASpamc15RequestAndReportItsVerdict() throws Exception {
    CompletableFuture<byte[]> seen =
        serveOnce(
            s -> {
              InputStream in = s.getInputStream();
              ByteArrayOutputStream head = new ByteArrayOutputStream();
              while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                head.write(in.read());
              }
              String h = head.toString(StandardCharsets.US_ASCII);
              int length = Integer.parseInt(h.replaceAll("(?s).*Content-length: (\\d+).*", "$1"));
              byte[] body = in.readNBytes(length);
              OutputStream out = s.getOutputStream();
              out.write(
                  "SPAMD/1.1 0 EX_OK\r\nContent-length: 24\r\nSpam: True ; 15.3 / 5.0\r\n\r\nBAYES_99,URIBL_BLACK\r\n"
                      .getBytes(StandardCharsets.US_ASCII));
              out.flush();
              return (h + new String(body, StandardCharsets.US_ASCII))
                  .getBytes(StandardCharsets.US_ASCII);
            });

    List<Finding> findings =
        new SpamdEngine(address(), TIMEOUT, "alice").scan(message(), MESSAGE.length);

    String request =
        new String(seen.get(30, java.util.concurrent.TimeUnit.SECONDS), StandardCharsets.US_ASCII);
    assertThat(request)
        .startsWith("SYMBOLS SPAMC/1.5\r\n")
        .contains("User: alice\r\n")
        .endsWith(new String(MESSAGE, StandardCharsets.US_ASCII));
    assertThat(findings)
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.label()).isEqualTo(Label.SPAM);
              assertThat(f.reason()).contains("15.3 / 5.0").contains("BAYES_99");
            });
  }

  @Test
  void spamdErrorStatusShouldBeAScanError() throws Exception {
    serveOnce(
        s -> {
          s.getOutputStream()
              .write("SPAMD/1.0 76 Bad header line\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          return new byte[0];
        });

    assertThat(new SpamdEngine(address(), TIMEOUT, "").scan(message(), MESSAGE.length))
        .singleElement()
        .extracting(Finding::label)
        .isEqualTo(Label.SCAN_ERROR);
  }

  @Test
  void rspamdShouldPostToCheckv2AndMapItsActionAndSymbols() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    CompletableFuture<byte[]> seen = new CompletableFuture<>();
    http.createContext(
        "/checkv2",
        ex -> {
          seen.complete(ex.getRequestBody().readAllBytes());
          byte[] reply =
              "{\"is_skipped\":false,\"score\":16.5,\"required_score\":15.0,\"action\":\"reject\",\"symbols\":{\"PHISHING\":{\"score\":4.0},\"R_SPF_FAIL\":{\"score\":1.0}}}"
                  .getBytes(StandardCharsets.UTF_8);
          ex.sendResponseHeaders(200, reply.length);
          ex.getResponseBody().write(reply);
          ex.close();
        });
    http.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + http.getAddress().getPort());

      List<Finding> findings = new RspamdEngine(base, TIMEOUT).scan(message(), MESSAGE.length);

      assertThat(seen.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(MESSAGE);
      assertThat(findings)
          .extracting(Finding::label)
          .containsExactlyInAnyOrder(Label.SPAM, Label.PHISHING);
      assertThat(findings.get(0).reason()).contains("16.5").contains("R_SPF_FAIL");
    } finally {
      http.stop(0);
    }
  }

  @Test
  void rspamdThatHangsShouldBeAScanErrorAndTheVerdictShouldNotBeCached() throws Exception {
    HttpServer http =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    http.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
    http.createContext(
        "/checkv2",
        ex -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          ex.close();
        });
    http.start();
    try {
      URI base = URI.create("http://127.0.0.1:" + http.getAddress().getPort());
      MessageAnalyzer analyzer =
          MessageAnalyzer.create(
              FilterSettings.defaults()
                  .withScratchDir(scratch)
                  .withEngines(List.of(new RspamdEngine(base, TIMEOUT))),
              Optional.empty());

      Verdict first = analyzer.analyze(new ByteArrayInputStream(MESSAGE));
      Verdict second = analyzer.analyze(new ByteArrayInputStream(MESSAGE));

      assertThat(first.labels()).contains(Label.SCAN_ERROR);
      assertThat(second).isNotSameAs(first);
    } finally {
      release.countDown();
      http.stop(0);
    }
  }
}
