package io.portcullis.gateway.cli;

import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.portcullis.filter.SampleMessages;
import io.portcullis.gateway.config.AuthConfig;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.ListenerConfig;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.server.GatewayServer;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code portcullis demo}: the gateway in front of an embedded upstream with sample mail. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the gateway on 127.0.0.1 in front of an embedded mail server (GreenMail) holding"
          + " sample messages for the account demo / demo. Stop with Ctrl-C."
    })
final class DemoCommand implements Callable<Integer> {
  static final String USER = "demo";
  static final String PASSWORD = "demo";
  static final List<String> SAMPLES =
      List.of("01-welcome.eml", "02-newsletter.eml", "03-attachment.eml");

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "Where the demo keeps its certificate. Default: portcullis-data/demo")
  Path dataDir = Path.of("portcullis-data", "demo");

  @Option(names = "--pop3s-port", description = "Default: 1995")
  int pop3sPort = 1995;

  @Option(names = "--pop3-starttls-port", description = "Default: 1110")
  int pop3StarttlsPort = 1110;

  @Option(names = "--imaps-port", description = "Default: 1993")
  int imapsPort = 1993;

  @Option(names = "--imap-starttls-port", description = "Default: 1143")
  int imapStarttlsPort = 1143;

  @Override
  public Integer call() throws Exception {
    GreenMail upstream =
        new GreenMail(
            new ServerSetup[] {
              new ServerSetup(0, "127.0.0.1", "pop3").dynamicPort(),
              new ServerSetup(0, "127.0.0.1", "imap").dynamicPort()
            });
    upstream.start();
    try {
      GreenMailUser user = upstream.setUser(USER + "@localhost", USER, PASSWORD);
      for (String sample : SAMPLES) {
        user.deliver(sample(sample));
      }
      // The embedded mailbox is new at every start and reuses UIDs and UIDVALIDITY: verdicts and
      // scanned marks of an earlier run would describe other messages. The quarantine store is
      // content-addressed and stays.
      deleteRecursively(dataDir.resolve("state"));
      Path samples = dataDir.resolve("samples");
      Files.createDirectories(samples);
      for (Map.Entry<String, byte[]> e : SampleMessages.all().entrySet()) {
        // The filter's samples (spam, phishing, macro document, executable in a zip: all inert)
        // go to the mailbox and to disk, for `portcullis scan`.
        Files.write(samples.resolve(e.getKey()), e.getValue());
        user.deliver(
            new MimeMessage(
                Session.getInstance(new Properties()), new ByteArrayInputStream(e.getValue())));
      }
      AuthConfig auth = demoAuth(dataDir);
      Path policy = dataDir.resolve("policy.yml");
      try (InputStream in =
          DemoCommand.class.getResourceAsStream("/io/portcullis/gateway/demo/policy.yml")) {
        Files.write(policy, in.readAllBytes());
      }
      GatewayConfig forUsers = new GatewayConfig(dataDir, null, null, null, null, null, auth, null);
      DemoUsers users = DemoUsers.create(forUsers, USER, PASSWORD);
      Endpoint pop3s = Endpoint.parse("pop3s://127.0.0.1:" + pop3sPort);
      Endpoint pop3Starttls = Endpoint.parse("pop3+starttls://127.0.0.1:" + pop3StarttlsPort);
      Endpoint imaps = Endpoint.parse("imaps://127.0.0.1:" + imapsPort);
      Endpoint imapStarttls = Endpoint.parse("imap+starttls://127.0.0.1:" + imapStarttlsPort);
      GatewayConfig config =
          new GatewayConfig(
              dataDir,
              List.of(
                  new ListenerConfig(pop3s),
                  new ListenerConfig(pop3Starttls),
                  new ListenerConfig(imaps),
                  new ListenerConfig(imapStarttls)),
              List.of(
                  new UpstreamConfig(
                      Endpoint.parse("pop3://127.0.0.1:" + upstream.getPop3().getPort()), null),
                  new UpstreamConfig(
                      Endpoint.parse("imap://127.0.0.1:" + upstream.getImap().getPort()), null)),
              null,
              null,
              false,
              auth,
              policy);
      ServeCommand.run(
          config, server -> banner(server, pop3s, pop3Starttls, imaps, imapStarttls, users));
    } finally {
      upstream.stop();
    }
    return 0;
  }

  /** Local users with Argon2id passwords; only alice and bob need a second factor. */
  static AuthConfig demoAuth(Path dataDir) {
    return new AuthConfig(
        "local",
        dataDir.resolve("users.yml"),
        dataDir.resolve("master.key"),
        new AuthConfig.SecondFactorConfig("none", null, null),
        null,
        null,
        null,
        null);
  }

  private void banner(
      GatewayServer server,
      Endpoint pop3s,
      Endpoint pop3Starttls,
      Endpoint imaps,
      Endpoint imapStarttls,
      DemoUsers users) {
    String fingerprint =
        server.certificate().map(c -> c.sha256Fingerprint()).orElse("(no certificate)");
    System.out.printf(
        """

        Portcullis demo is running (Ctrl-C to stop).
          POP3  %s   (implicit TLS)
                %s   (STLS required before login)
          IMAP  %s   (implicit TLS)
                %s   (STARTTLS required before login)
          account: %s  password: %s   (%d sample messages)
          scan the samples:  ./portcullis scan %s
          filtering (policy %s): spam goes to Junk (POP3: X-Spam-Flag), dangerous
            attachments are replaced by a notice, phishing is withheld; the originals:
            ./portcullis quarantine --data-dir %s list
          certificate SHA-256: %s   (self-signed: clients must trust or skip it)

        %s
        %s
          (2FA: type the password followed by the current 6-digit code, e.g. %s123456;
           TOTP is SHA-1, 6 digits, 30 s: add the secret to any authenticator app)

          try:  curl -k pop3s://127.0.0.1:%d/1 -u %s:%s
                curl -k 'imaps://127.0.0.1:%d/INBOX;UID=1' -u %s:%s
                openssl s_client -quiet -connect 127.0.0.1:%d -starttls pop3

        """,
        pop3s,
        pop3Starttls,
        imaps,
        imapStarttls,
        USER,
        PASSWORD,
        SAMPLES.size() + SampleMessages.all().size(),
        dataDir.resolve("samples"),
        dataDir.resolve("policy.yml"),
        dataDir,
        fingerprint,
        users.twoFactorLine(),
        users.appPasswordLine(),
        DemoUsers.TWO_FACTOR_PASSWORD,
        pop3s.port(),
        USER,
        PASSWORD,
        imaps.port(),
        USER,
        PASSWORD,
        pop3Starttls.port());
  }

  private static MimeMessage sample(String name) throws IOException, MessagingException {
    try (InputStream in =
        DemoCommand.class.getResourceAsStream("/io/portcullis/gateway/demo/" + name)) {
      if (in == null) {
        throw new IOException("missing demo sample " + name);
      }
      return new MimeMessage(Session.getInstance(new Properties()), in);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
