package io.portcullis.gateway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The picocli tree as a user meets it: exit codes and what is printed. */
class CliTest {
  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private PrintStream savedOut;
  private PrintStream savedErr;

  @BeforeEach
  void capture() {
    savedOut = System.out;
    savedErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @AfterEach
  void restore() {
    System.setOut(savedOut);
    System.setErr(savedErr);
  }

  private int run(String... args) {
    return PortcullisCommand.commandLine().execute(args);
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void helpShouldListEveryCommand() {
    assertThat(run("--help")).isZero();
    assertThat(out())
        .contains("serve", "demo", "user", "cert", "scan", "filter", "policy", "quarantine");
  }

  @Test
  void quarantineListShowAndReleaseShouldWorkOnWhatTheFilterStored() throws Exception {
    io.portcullis.gateway.config.GatewayConfig config =
        new io.portcullis.gateway.config.GatewayConfig(
            dir, null, null, null, null, null, null, null);
    byte[] original = io.portcullis.filter.SampleMessages.executableInZip();
    String id =
        io.portcullis.gateway.filtering.FilterStores.quarantine(
                config,
                io.portcullis.gateway.filtering.FilterStores.masterKey(config),
                java.time.Clock.systemUTC())
            .put(
                new java.io.ByteArrayInputStream(original),
                new io.portcullis.filter.quarantine.QuarantineMetadata(
                    "default/alice",
                    null,
                    0,
                    java.util.List.of("dangerous-attachment"),
                    0,
                    java.util.List.of("location: pop3:u1"),
                    "Mallory <m@evil.test>",
                    "Invoice\u001b[31m",
                    null));
    String data = "--data-dir=" + dir;

    assertThat(run("quarantine", data, "list")).isZero();
    assertThat(out()).contains(id.substring(0, 12), "default/alice", "dangerous-attachment");
    assertThat(out()).contains("Invoice?[31m").doesNotContain("\u001b");
    out.reset();
    assertThat(run("quarantine", data, "show", id.substring(0, 10))).isZero();
    assertThat(out()).contains("id:       " + id, "location: pop3:u1");
    Path copy = dir.resolve("original.eml");
    assertThat(run("quarantine", data, "release", id.substring(0, 8), "--to", copy.toString()))
        .isZero();
    assertThat(Files.readAllBytes(copy)).isEqualTo(original);
    assertThat(
            new io.portcullis.gateway.filtering.Releases(
                    io.portcullis.gateway.filtering.FilterStores.state(config))
                .pending("default/alice"))
        .singleElement()
        .satisfies(r -> assertThat(r.location()).isEqualTo("pop3:u1"));
    assertThat(run("quarantine", data, "show", "00000000")).isEqualTo(1);
  }

  @Test
  void mapUpstreamShouldMapAUserToAnOAuthAccountWithoutAPassword() throws Exception {
    Path config = dir.resolve("portcullis.yml");
    Files.writeString(
        config,
        "data-dir: "
            + dir
            + "\nauth:\n  mode: local\n  users-file: "
            + dir.resolve("users.yml")
            + "\n  key-file: "
            + dir.resolve("master.key")
            + "\n");
    InputStream savedIn = System.in;
    try {
      System.setIn(
          new java.io.ByteArrayInputStream(
              "correct horse battery\n".getBytes(StandardCharsets.UTF_8)));
      assertThat(run("user", "--config", config.toString(), "add", "alice")).isZero();
    } finally {
      System.setIn(savedIn);
    }

    assertThat(
            run(
                "user",
                "--config",
                config.toString(),
                "map-upstream",
                "alice",
                "--oauth-account",
                "m365-alice"))
        .isZero();
    assertThat(out()).contains("OAuth token of account m365-alice");
    assertThat(Files.readString(dir.resolve("users.yml"))).contains("oauth-account: m365-alice");
    assertThat(run("user", "--config", config.toString(), "map-upstream", "alice")).isEqualTo(2);
  }

  @Test
  void certGenerateThenShowShouldPrintTheSameFingerprint() {
    assertThat(run("cert", "generate", "--data-dir", dir.toString(), "--host", "mail.test"))
        .isZero();
    String generated = out();
    assertThat(generated).contains("DNS:mail.test", "DNS:localhost", "SHA-256:");
    out.reset();
    assertThat(run("cert", "show", "--data-dir", dir.toString())).isZero();
    String fingerprint = generated.lines().filter(l -> l.contains("  SHA-256:")).findFirst().get();
    assertThat(out()).contains(fingerprint);
    assertThat(run("cert", "generate", "--data-dir", dir.toString())).isEqualTo(1);
  }

  @Test
  void scanShouldExitOneWhenSomethingIsFlaggedAndZeroWhenClean() throws Exception {
    Path phishing = sample("/io/portcullis/filter/samples/phishing.eml", "phishing.eml");
    Path clean = sample("/io/portcullis/gateway/demo/01-welcome.eml", "welcome.eml");
    assertThat(run("scan", "--data-dir", dir.toString(), clean.toString())).isZero();
    assertThat(run("scan", "--json", "--data-dir", dir.toString(), phishing.toString()))
        .isEqualTo(1);
    assertThat(out()).contains("\"labels\":[").contains("phishing");
  }

  @Test
  void scanWithAModelOfAnOlderTokenizerShouldSayHowToRetrain() throws Exception {
    Path model = dir.resolve("old-model.bin");
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(model))) {
      out.write(
          "portcullis-spam-model 1\nspam 1\nham 1\nword\t1\t0\n".getBytes(StandardCharsets.UTF_8));
    }
    Path clean = sample("/io/portcullis/gateway/demo/01-welcome.eml", "welcome.eml");

    assertThat(run("scan", "--model", model.toString(), clean.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("old-model.bin")
        .contains("portcullis filter train --fresh")
        .doesNotContain("cannot read input");
  }

  @Test
  void policyCheckShouldFailWithFileLineAndColumn() throws Exception {
    Path policy = dir.resolve("bad.yml");
    Files.writeString(policy, "version: 1\nacces: []\n");
    assertThat(run("policy", "check", policy.toString())).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad.yml:2:");
  }

  @Test
  void serveWithAnInvalidConfigShouldNameTheKeyAndExitTwo() throws Exception {
    Path config = dir.resolve("p.yml");
    Files.writeString(config, "limits:\n  idle-timeout: forever\n");
    assertThat(run("serve", "--config", config.toString())).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("p.yml:2:3")
        .contains("limits.idle-timeout")
        .doesNotContain("Exception");
  }

  private Path sample(String resource, String name) throws Exception {
    Path file = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream(resource)) {
      Files.copy(in, file);
    }
    return file;
  }
}
