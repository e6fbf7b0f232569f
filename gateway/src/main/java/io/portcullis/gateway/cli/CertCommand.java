package io.portcullis.gateway.cli;

import io.portcullis.tls.CertificateInfo;
import io.portcullis.tls.SelfSignedCertificates;
import io.portcullis.tls.TlsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code portcullis cert generate|show}. */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = "Generate a self-signed certificate or show a certificate.",
    subcommands = {CertCommand.Generate.class, CertCommand.Show.class})
final class CertCommand {

  /** Where {@code serve} keeps (and generates) its self-signed certificate. */
  static Path tlsDir(Path dataDir) {
    return dataDir.resolve("tls");
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description =
          "Generate a self-signed ECDSA P-256 certificate into DATA-DIR/tls (key mode 0600),"
              + " valid for localhost, 127.0.0.1, ::1 and the --host names.")
  static final class Generate implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Default: portcullis-data")
    Path dataDir = Path.of("portcullis-data");

    @Option(names = "--host", paramLabel = "NAME", description = "Host name (repeatable).")
    List<String> hosts = new ArrayList<>();

    @Option(names = "--force", description = "Replace an existing certificate.")
    boolean force;

    @Override
    public Integer call() throws TlsException {
      Path dir = tlsDir(dataDir);
      if (Files.exists(dir.resolve(SelfSignedCertificates.CERTIFICATE_FILE)) && !force) {
        throw new CliException(
            dir.resolve(SelfSignedCertificates.CERTIFICATE_FILE)
                + " exists; use --force to replace it",
            1);
      }
      List<String> names = new ArrayList<>(List.of("localhost"));
      names.addAll(hosts);
      var source = SelfSignedCertificates.generate(dir, names, Clock.systemUTC());
      System.out.println("certificate: " + source.certificateChain());
      System.out.println("key:         " + source.privateKey());
      print(CertificateInfo.readPem(source.certificateChain()));
      return 0;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description =
          "Show subject, names, issuer, validity and SHA-256 fingerprints (certificate and SPKI)"
              + " of each certificate in a PEM file (default: DATA-DIR/tls/cert.pem).")
  static final class Show implements Callable<Integer> {
    @Option(names = "--data-dir", paramLabel = "DIR", description = "Default: portcullis-data")
    Path dataDir = Path.of("portcullis-data");

    @Parameters(arity = "0..1", paramLabel = "FILE")
    Path file;

    @Override
    public Integer call() throws TlsException {
      Path pem =
          file != null ? file : tlsDir(dataDir).resolve(SelfSignedCertificates.CERTIFICATE_FILE);
      print(CertificateInfo.readPem(pem));
      return 0;
    }
  }

  private static void print(List<CertificateInfo> chain) {
    for (int i = 0; i < chain.size(); i++) {
      CertificateInfo c = chain.get(i);
      System.out.println(i == 0 ? "certificate:" : "chain[" + i + "]:");
      System.out.println("  subject:      " + c.subject());
      System.out.println("  names:        " + String.join(", ", c.subjectAltNames()));
      System.out.println("  issuer:       " + c.issuer());
      System.out.println("  valid:        " + c.notBefore() + " .. " + c.notAfter());
      System.out.println("  SHA-256:      " + c.sha256Fingerprint());
      System.out.println("  SPKI SHA-256: " + c.spkiSha256());
    }
  }
}
