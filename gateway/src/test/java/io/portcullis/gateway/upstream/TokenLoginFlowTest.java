package io.portcullis.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.portcullis.auth.oauth.AccessToken;
import io.portcullis.auth.oauth.OAuthException;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.Security;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.tls.UpstreamTls;
import io.portcullis.tls.UpstreamTlsSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream token logins step by step against a scripted server on a real socket: mechanism
 * choice from what is advertised, SASL-IR or a continuation, the RFC 7628 error challenge, and
 * tokens that must never be sent.
 */
class TokenLoginFlowTest {
  private EventLoopGroup group;
  private Channel client;
  private final List<String> received = new CopyOnWriteArrayList<>();
  private final AtomicInteger rejected = new AtomicInteger();
  private ServerSocket server;

  @BeforeEach
  void start() throws Exception {
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    client = new NioSocketChannel();
    group.register(client).sync();
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  /** A one-connection server: greeting, then {@code answer(line, n)} for the n-th line. */
  private UpstreamConnector serve(
      String scheme, String greeting, BiFunction<String, Integer, String> answer) throws Exception {
    server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
    Thread.ofVirtual()
        .start(
            () -> {
              try (Socket s = server.accept()) {
                BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                OutputStream out = s.getOutputStream();
                out.write(greeting.getBytes(StandardCharsets.UTF_8));
                String line;
                int n = 0;
                while ((line = in.readLine()) != null) {
                  received.add(line);
                  String reply = answer.apply(line, n++);
                  if (reply == null) {
                    return;
                  }
                  out.write(reply.getBytes(StandardCharsets.UTF_8));
                  out.flush();
                }
              } catch (Exception e) {
                // The gateway hung up.
              }
            });
    Endpoint url = Endpoint.parse(scheme + "://127.0.0.1:" + server.getLocalPort());
    return new UpstreamConnector(
        new UpstreamConfig(url, null),
        url.security() == Security.PLAINTEXT
            ? Optional.empty()
            : Optional.of(UpstreamTls.create(UpstreamTlsSettings.defaults())),
        NioSocketChannel.class,
        GatewayLimits.defaults());
  }

  private UpstreamCredentials.OAuth token(String value) {
    AccessToken token = new AccessToken("acct", "alice@example.com", value, Instant.MAX);
    return new UpstreamCredentials.OAuth(
        "alice@example.com",
        "acct",
        UpstreamCredentials.Source.BROKER,
        new UpstreamCredentials.Tokens() {
          @Override
          public CompletableFuture<AccessToken> get() {
            return CompletableFuture.completedFuture(token);
          }

          @Override
          public void rejected(AccessToken t) {
            rejected.incrementAndGet();
          }
        });
  }

  private static String decode(String line) {
    String b64 = line.substring(line.lastIndexOf(' ') + 1);
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
  }

  private static <S> Throwable failure(Future<S> f) throws Exception {
    f.await(10, TimeUnit.SECONDS);
    assertThat(f.isDone()).isTrue();
    return f.cause();
  }

  @Test
  void imapShouldPreferOauthbearerAndWaitForTheContinuationWithoutSaslIr() throws Exception {
    UpstreamConnector up =
        serve(
            "imap",
            "* OK ready\r\n",
            (line, n) ->
                switch (n) {
                  case 0 -> "* CAPABILITY IMAP4rev1 AUTH=XOAUTH2 AUTH=OAUTHBEARER\r\nP1 OK\r\n";
                  case 1 -> "+ \r\n";
                  case 2 -> "P2 OK [CAPABILITY IMAP4rev1 IDLE] in\r\n";
                  default -> null;
                });
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f)).isNull();
    assertThat(received.get(1)).isEqualTo("P2 AUTHENTICATE OAUTHBEARER");
    assertThat(decode(received.get(2)))
        .isEqualTo("n,a=alice@example.com,\u0001auth=Bearer tok-123\u0001\u0001");
    f.getNow().channel().close();
  }

  @Test
  void imapShouldSendXoauth2WithSaslIrWhenThatIsWhatIsOffered() throws Exception {
    UpstreamConnector up =
        serve(
            "imap",
            "* OK ready\r\n",
            (line, n) ->
                n == 0
                    ? "* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\nP1 OK\r\n"
                    : n == 1 ? "P2 OK [CAPABILITY IMAP4rev1] in\r\n" : null);
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f)).isNull();
    assertThat(received.get(1)).startsWith("P2 AUTHENTICATE XOAUTH2 ");
    assertThat(decode(received.get(1)))
        .isEqualTo("user=alice@example.com\u0001auth=Bearer tok-123\u0001\u0001");
    f.getNow().channel().close();
  }

  @Test
  void refusedTokenShouldAnswerTheErrorChallengeFailAsRejectedAndBeReported() throws Exception {
    String challenge =
        Base64.getEncoder()
            .encodeToString("{\"status\":\"invalid_token\"}".getBytes(StandardCharsets.UTF_8));
    UpstreamConnector up =
        serve(
            "imap",
            "* OK ready\r\n",
            (line, n) ->
                switch (n) {
                  case 0 -> "* CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER\r\nP1 OK\r\n";
                  case 1 -> "+ " + challenge + "\r\n";
                  case 2 -> "P2 NO [AUTHENTICATIONFAILED] invalid\r\n";
                  default -> null;
                });
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.REJECTED));
    assertThat(received.get(2)).isEqualTo("AQ==");
    assertThat(rejected).hasValue(1);
  }

  @Test
  void busyUpstreamShouldFailAsTemporaryAndKeepTheToken() throws Exception {
    UpstreamConnector up =
        serve(
            "imap",
            "* OK ready\r\n",
            (line, n) ->
                n == 0
                    ? "* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\nP1 OK\r\n"
                    : n == 1 ? "P2 NO [UNAVAILABLE] try later\r\n" : null);
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.TEMPORARY));
    assertThat(rejected).hasValue(0);
  }

  @Test
  void upstreamWithoutAnOAuthMechanismShouldNeverSeeTheToken() throws Exception {
    UpstreamConnector up =
        serve(
            "imap",
            "* OK ready\r\n",
            (line, n) -> n == 0 ? "* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nP1 OK\r\n" : null);
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.OAUTH_NOT_OFFERED));
    assertThat(String.join("\n", received)).doesNotContain("tok-123");
  }

  @Test
  void c1StarttlsStrippingShouldNeverExposeTheToken() throws Exception {
    UpstreamConnector up =
        serve(
            "imap+starttls",
            "* OK ready\r\n",
            (line, n) ->
                n == 0 ? "* CAPABILITY IMAP4rev1 SASL-IR AUTH=XOAUTH2\r\nP1 OK\r\n" : null);
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.STARTTLS_UNAVAILABLE));
    assertThat(received).containsExactly("P1 CAPABILITY");
  }

  @Test
  void c7UpstreamWhoseTlsDoesNotCheckOutShouldNeverSeeTheToken() throws Exception {
    // Not a TLS server at all, let alone one with a certificate for 127.0.0.1 that we trust.
    UpstreamConnector up =
        serve("imaps", "* OK [CAPABILITY AUTH=XOAUTH2] plaintext\r\n", (l, n) -> null);
    Future<ImapUpstreamLogin.Session> f =
        ImapUpstreamLogin.start(up, token("tok-123"), client, Optional.empty());

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure().code()).startsWith("upstream-tls"));
    assertThat(String.join("\n", received)).doesNotContain("tok-123");
  }

  @Test
  void pop3TokenTooLongForTheAuthLineShouldGoInTheContinuation() throws Exception {
    String longToken = "t".repeat(400);
    UpstreamConnector up =
        serve(
            "pop3",
            "+OK ready\r\n",
            (line, n) ->
                switch (n) {
                  case 0 -> "+OK\r\nSASL PLAIN XOAUTH2\r\n.\r\n";
                  case 1 -> "+ \r\n";
                  case 2 -> "+OK in\r\n";
                  default -> null;
                });
    Future<Pop3UpstreamLogin.Session> f = Pop3UpstreamLogin.start(up, token(longToken), client);

    assertThat(failure(f)).isNull();
    assertThat(received.get(1)).isEqualTo("AUTH XOAUTH2");
    assertThat(decode(received.get(2))).contains("auth=Bearer " + longToken);
    f.getNow().channel().close();
  }

  @Test
  void a3TokenWithALineBreakFromTheTokenEndpointShouldNeverReachTheUpstream() throws Exception {
    UpstreamConnector up = serve("pop3", "+OK ready\r\n", (line, n) -> "+OK\r\n");
    Future<Pop3UpstreamLogin.Session> f =
        Pop3UpstreamLogin.start(up, token("tok\r\nDELE 1"), client);

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> assertThat(e.failure()).isEqualTo(UpstreamFailure.UNSENDABLE_CREDENTIALS));
    assertThat(received).isEmpty();
  }

  @Test
  void revokedGrantShouldFailBeforeAnyConnectionIsMade() throws Exception {
    UpstreamConnector up = serve("pop3", "+OK ready\r\n", (line, n) -> "+OK\r\n");
    UpstreamCredentials.OAuth dead =
        new UpstreamCredentials.OAuth(
            "alice@example.com",
            "acct",
            UpstreamCredentials.Source.BROKER,
            () ->
                CompletableFuture.failedFuture(
                    new OAuthException(OAuthException.Kind.GRANT_INVALID, "acct", "refused")));
    Future<Pop3UpstreamLogin.Session> f = Pop3UpstreamLogin.start(up, dead, client);

    assertThat(failure(f))
        .isInstanceOfSatisfying(
            UpstreamException.class,
            e -> {
              assertThat(e.failure()).isEqualTo(UpstreamFailure.OAUTH_GRANT_INVALID);
              assertThat(e.failure().temporary()).isFalse();
            });
    assertThat(received).isEmpty();
  }
}
