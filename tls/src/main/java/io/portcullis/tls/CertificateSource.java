package io.portcullis.tls;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One certificate source: a PEM chain file plus a key file (PKCS#1, SEC1, PKCS#8 or encrypted
 * PKCS#8), or a PKCS#12 keystore named twice (same path for chain and key). Immutable.
 *
 * @param certificateChain PEM file with the leaf first, then intermediates; or the PKCS#12 file
 * @param privateKey PEM key file; or the PKCS#12 file again
 * @param keyPassphraseSource where the passphrase of an encrypted key or keystore is read from:
 *     {@code file:PATH} (first line of the file) or {@code env:NAME}; never the passphrase itself
 */
public record CertificateSource(
    Path certificateChain, Path privateKey, Optional<String> keyPassphraseSource) {

  public CertificateSource {
    Objects.requireNonNull(certificateChain, "certificateChain");
    Objects.requireNonNull(privateKey, "privateKey");
    Objects.requireNonNull(keyPassphraseSource, "keyPassphraseSource");
    keyPassphraseSource.ifPresent(Passphrases::checkSyntax);
  }

  /** A PEM chain and an unencrypted PEM key. */
  public static CertificateSource pem(Path certificateChain, Path privateKey) {
    return new CertificateSource(certificateChain, privateKey, Optional.empty());
  }

  /** A PKCS#12 keystore whose passphrase is read from {@code passphraseSource}. */
  public static CertificateSource pkcs12(Path keystore, String passphraseSource) {
    return new CertificateSource(keystore, keystore, Optional.of(passphraseSource));
  }
}
