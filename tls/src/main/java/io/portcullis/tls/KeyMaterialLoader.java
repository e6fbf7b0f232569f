package io.portcullis.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMDecryptorProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * Reads certificates and keys with Bouncy Castle: PEM chains; PKCS#1, SEC1, PKCS#8 and encrypted
 * PKCS#8 keys; PKCS#12 keystores. Checks that the key matches the leaf and that the chain is in
 * order. Stateless and thread-safe; every error names the file and the problem, never key material.
 */
final class KeyMaterialLoader {
  /** Bouncy Castle as an unregistered instance: decryption only, never a global provider change. */
  static final Provider BC = new BouncyCastleProvider();

  private KeyMaterialLoader() {}

  static KeyMaterial load(CertificateSource source, Map<String, String> environment)
      throws TlsException {
    Optional<char[]> passphrase = Optional.empty();
    if (source.keyPassphraseSource().isPresent()) {
      passphrase =
          Optional.of(Passphrases.resolve(source.keyPassphraseSource().get(), environment));
    }
    try {
      if (isDer(source.certificateChain())) {
        return readPkcs12(source.certificateChain(), passphrase.orElse(new char[0]));
      }
      List<X509Certificate> chain = readCertificates(source.certificateChain());
      PrivateKey key = readPrivateKey(source.privateKey(), passphrase);
      checkKeyMatchesLeaf(source, key, chain);
      checkChainOrder(source.certificateChain(), chain);
      return new KeyMaterial(key, chain);
    } finally {
      passphrase.ifPresent(p -> Arrays.fill(p, '\0'));
    }
  }

  /** Reads every certificate of a PEM file, in file order; fails if there is none. */
  static List<X509Certificate> readCertificates(Path file) throws TlsException {
    String text = readText(file);
    List<X509Certificate> out = new ArrayList<>();
    List<String> others = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = readObject(parser, file)) != null) {
        if (o instanceof X509CertificateHolder holder) {
          out.add(converter.getCertificate(holder));
        } else {
          others.add(describe(o));
        }
      }
    } catch (IOException | CertificateException e) {
      throw new TlsException(file + ": not a valid PEM certificate (" + e.getMessage() + ")", e);
    }
    if (out.isEmpty()) {
      throw new TlsException(
          file
              + ": not a certificate file: no \"BEGIN CERTIFICATE\" block"
              + (others.isEmpty() ? "" : " (found " + String.join(", ", others) + ")"));
    }
    return Collections.unmodifiableList(out);
  }

  static PrivateKey readPrivateKey(Path file, Optional<char[]> passphrase) throws TlsException {
    String text = readText(file);
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o;
      while ((o = readObject(parser, file)) != null) {
        switch (o) {
          case PrivateKeyInfo info -> {
            return converter.getPrivateKey(info);
          }
          case PEMKeyPair pair -> {
            // SEC1 keys may omit the public key, so convert only the private part.
            return converter.getPrivateKey(pair.getPrivateKeyInfo());
          }
          case PKCS8EncryptedPrivateKeyInfo encrypted -> {
            char[] pass = requirePassphrase(file, passphrase);
            InputDecryptorProvider decryptor =
                new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(BC).build(pass);
            try {
              return converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(decryptor));
            } catch (PKCSException e) {
              throw new TlsException(file + ": cannot decrypt the key (wrong passphrase?)", e);
            }
          }
          case PEMEncryptedKeyPair encrypted -> {
            char[] pass = requirePassphrase(file, passphrase);
            PEMDecryptorProvider decryptor =
                new JcePEMDecryptorProviderBuilder().setProvider(BC).build(pass);
            try {
              return converter.getPrivateKey(
                  encrypted.decryptKeyPair(decryptor).getPrivateKeyInfo());
            } catch (IOException e) {
              throw new TlsException(file + ": cannot decrypt the key (wrong passphrase?)", e);
            }
          }
          case ASN1ObjectIdentifier curve -> {
            // "EC PARAMETERS" block that `openssl ecparam -genkey` writes before the key: skip.
          }
          default -> {
            // A certificate in the key file (combined PEM) is allowed; keep looking for the key.
          }
        }
      }
    } catch (IOException e) {
      throw new TlsException(file + ": not a valid PEM private key (" + e.getMessage() + ")", e);
    } catch (OperatorCreationException e) {
      throw new TlsException(file + ": unsupported key encryption (" + e.getMessage() + ")", e);
    }
    throw new TlsException(
        file + ": no private key found (expected a PRIVATE KEY, RSA/EC PRIVATE KEY block)");
  }

  static KeyMaterial readPkcs12(Path file, char[] passphrase) throws TlsException {
    KeyStore store;
    try (InputStream in = Files.newInputStream(file)) {
      store = KeyStore.getInstance("PKCS12");
      store.load(in, passphrase);
    } catch (NoSuchFileException e) {
      throw new TlsException(file + ": file does not exist", e);
    } catch (IOException | GeneralSecurityException e) {
      throw new TlsException(
          file + ": cannot read PKCS#12 keystore (wrong passphrase or not PKCS#12)", e);
    }
    try {
      List<String> keyAliases = new ArrayList<>();
      for (String alias : Collections.list(store.aliases())) {
        if (store.isKeyEntry(alias)) {
          keyAliases.add(alias);
        }
      }
      if (keyAliases.size() != 1) {
        throw new TlsException(
            file + ": PKCS#12 keystore must hold exactly one key, found " + keyAliases.size());
      }
      String alias = keyAliases.get(0);
      PrivateKey key = (PrivateKey) store.getKey(alias, passphrase);
      List<X509Certificate> chain = new ArrayList<>();
      var certificates = store.getCertificateChain(alias);
      if (certificates == null || certificates.length == 0) {
        throw new TlsException(file + ": PKCS#12 key entry has no certificate");
      }
      for (var c : certificates) {
        chain.add((X509Certificate) c);
      }
      CertificateSource source = new CertificateSource(file, file, Optional.empty());
      checkKeyMatchesLeaf(source, key, chain);
      checkChainOrder(file, chain);
      return new KeyMaterial(key, chain);
    } catch (GeneralSecurityException e) {
      throw new TlsException(file + ": cannot read the key of the PKCS#12 keystore", e);
    }
  }

  static void checkKeyMatchesLeaf(
      CertificateSource source, PrivateKey key, List<X509Certificate> chain) throws TlsException {
    if (matches(key, chain.get(0).getPublicKey())) {
      return;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (matches(key, chain.get(i).getPublicKey())) {
        throw new TlsException(
            source.certificateChain()
                + ": chain out of order: the key matches certificate #"
                + (i + 1)
                + ", the certificate of the key must come first");
      }
    }
    throw new TlsException(
        source.privateKey()
            + ": key does not match certificate "
            + chain.get(0).getSubjectX500Principal().getName()
            + " in "
            + source.certificateChain());
  }

  static void checkChainOrder(Path file, List<X509Certificate> chain) throws TlsException {
    for (int i = 0; i + 1 < chain.size(); i++) {
      X509Certificate child = chain.get(i);
      X509Certificate parent = chain.get(i + 1);
      boolean issued = child.getIssuerX500Principal().equals(parent.getSubjectX500Principal());
      if (issued) {
        try {
          child.verify(parent.getPublicKey());
        } catch (GeneralSecurityException e) {
          issued = false;
        }
      }
      if (!issued) {
        throw new TlsException(
            file
                + ": chain out of order: certificate #"
                + (i + 1)
                + " ("
                + child.getSubjectX500Principal().getName()
                + ") is not issued by the next one, #"
                + (i + 2)
                + " ("
                + parent.getSubjectX500Principal().getName()
                + ")");
      }
    }
  }

  private static boolean matches(PrivateKey key, PublicKey publicKey) {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC", "ECDSA" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          case "Ed448" -> "Ed448";
          default -> null;
        };
    if (algorithm == null) {
      return false;
    }
    try {
      // Proof of possession: sign a random challenge with the key and verify with the certificate.
      byte[] challenge = new byte[32];
      new SecureRandom().nextBytes(challenge);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(challenge);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(publicKey);
      verifier.update(challenge);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Object readObject(PEMParser parser, Path file) throws TlsException {
    try {
      return parser.readObject();
    } catch (IOException e) {
      throw new TlsException(file + ": malformed PEM block (" + e.getMessage() + ")", e);
    }
  }

  private static char[] requirePassphrase(Path file, Optional<char[]> passphrase)
      throws TlsException {
    return passphrase.orElseThrow(
        () ->
            new TlsException(
                file + ": key is encrypted but no passphrase source (file:/env:) is configured"));
  }

  private static String readText(Path file) throws TlsException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new TlsException(file + ": file does not exist", e);
    } catch (IOException e) {
      throw new TlsException(file + ": cannot read (" + e.getClass().getSimpleName() + ")", e);
    }
    String text = new String(bytes, StandardCharsets.US_ASCII);
    if (text.isBlank()) {
      throw new TlsException(file + ": file is empty");
    }
    if (!text.contains("-----BEGIN ")) {
      throw new TlsException(file + ": not a PEM file (no \"-----BEGIN\" line)");
    }
    return text;
  }

  private static boolean isDer(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x30; // ASN.1 SEQUENCE: a PKCS#12 file given as "certificate"
    } catch (IOException e) {
      return false;
    }
  }

  private static String describe(Object o) {
    return switch (o) {
      case PrivateKeyInfo k -> "a private key";
      case PEMKeyPair k -> "a private key";
      case PKCS8EncryptedPrivateKeyInfo k -> "an encrypted private key";
      case PEMEncryptedKeyPair k -> "an encrypted private key";
      default -> o.getClass().getSimpleName();
    };
  }
}
