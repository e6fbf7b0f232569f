package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What operators read in the log: provider, expiry warnings, rejected reloads; never a secret. */
class ServerTlsLoggingTest {
  private static final TestPki PKI = TestPki.newCa("Logging Test CA");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(ServerTls.class);

  @TempDir Path dir;

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  private List<String> messages(Level level) {
    return appender.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  private ServerTls start(CertificateSource source, TestClock clock, Map<String, String> env)
      throws TlsException {
    ServerTlsSettings settings =
        new ServerTlsSettings(
            TlsProfile.INTERMEDIATE,
            TlsProvider.JDK,
            Optional.of(source),
            Map.of(),
            ClientAuthMode.NONE,
            Optional.empty(),
            List.of());
    return ServerTls.start(settings, dir, clock, env, ServerTls.DEBOUNCE);
  }

  @Test
  void startShouldLogTheProviderAndTheCertificateInUse() throws Exception {
    Instant now = Instant.now();
    CertificateSource source =
        TestPki.writePem(dir, "server", PKI.issue(TestPki.Spec.server("imap.example.test")));
    try (ServerTls tls = start(source, new TestClock(now), Map.of())) {
      assertThat(messages(Level.INFO))
          .anySatisfy(
              m ->
                  assertThat(m)
                      .contains("provider JDK")
                      .contains("CN=imap.example.test")
                      .contains(tls.defaultCertificate().sha256Fingerprint()));
    }
  }

  @Test
  void certificateExpiringWithin30DaysShouldBeWarnedAtLoadAndDaily() throws Exception {
    Instant now = Instant.now();
    TestPki.Spec spec =
        TestPki.Spec.server("imap.example.test")
            .withValidity(now.minus(Duration.ofDays(80)), now.plus(Duration.ofDays(10)));
    CertificateSource source = TestPki.writePem(dir, "server", PKI.issue(spec));
    TestClock clock = new TestClock(now);
    try (ServerTls tls = start(source, clock, Map.of())) {
      assertThat(messages(Level.WARN))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .contains("expires in 9 days")
                      .contains(source.certificateChain().toString()));
      clock.advance(Duration.ofDays(1));
      tls.warnAboutExpiry();
      assertThat(messages(Level.WARN)).hasSize(2);
    }
  }

  @Test
  void expiredCertificateShouldBeWarnedAtLoad() throws Exception {
    Instant now = Instant.now();
    TestPki.Spec spec =
        TestPki.Spec.server("imap.example.test")
            .withValidity(now.minus(Duration.ofDays(80)), now.minus(Duration.ofDays(1)));
    CertificateSource source = TestPki.writePem(dir, "server", PKI.issue(spec));
    try (ServerTls tls = start(source, new TestClock(now), Map.of())) {
      assertThat(messages(Level.WARN))
          .singleElement()
          .satisfies(m -> assertThat(m).contains("EXPIRED"));
    }
  }

  @Test
  void rejectedReloadShouldLogAnErrorNamingTheFileButNeverThePassphraseOrKey() throws Exception {
    TestPki.Issued issued = PKI.issue(TestPki.Spec.server("imap.example.test"));
    Path chain = TestPki.writeChain(dir.resolve("server.crt"), issued.chain());
    Path key = TestPki.writeEncryptedPkcs8(dir.resolve("server.key"), issued.key(), "Tr0ub4dor&3");
    CertificateSource source = new CertificateSource(chain, key, Optional.of("env:KEY_PASS"));
    try (ServerTls tls =
        start(source, new TestClock(Instant.now()), Map.of("KEY_PASS", "Tr0ub4dor&3"))) {
      // The renewed key arrives encrypted under a passphrase the configuration does not have.
      TestPki.Issued renewed = PKI.issue(TestPki.Spec.server("imap.example.test"));
      TestPki.writeChain(chain, renewed.chain());
      TestPki.writeEncryptedPkcs8(key, renewed.key(), "correct horse");
      assertThat(tls.reload()).isEqualTo(ServerTls.ReloadOutcome.FAILED);

      String keyBody = Files.readString(key).lines().skip(1).findFirst().orElseThrow();
      assertThat(messages(Level.ERROR))
          .singleElement()
          .satisfies(
              m ->
                  assertThat(m)
                      .contains(key.toString())
                      .contains("cannot decrypt")
                      .doesNotContain("Tr0ub4dor&3")
                      .doesNotContain("correct horse")
                      .doesNotContain(keyBody));
      assertThat(tls.defaultCertificate().sha256Fingerprint())
          .isEqualTo(CertificateInfo.of(issued.certificate()).sha256Fingerprint());
    }
  }
}
