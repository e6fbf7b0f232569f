package io.portcullis.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * Maps a verified client certificate to a user name for SASL EXTERNAL (RFC 4422 App. A): the SAN
 * rfc822Name, else the subject emailAddress. Ambiguity (two different addresses) maps to nobody.
 * Immutable and thread-safe.
 *
 * @param requiredDomain when present, only addresses in this domain are accepted and the user name
 *     is the local part; when empty, the user name is the whole address
 */
public record ClientCertificateMapper(Optional<String> requiredDomain) {
  private static final int SAN_RFC822 = 1;

  public ClientCertificateMapper {
    Objects.requireNonNull(requiredDomain, "requiredDomain");
    requiredDomain = requiredDomain.map(d -> d.toLowerCase(Locale.ROOT));
  }

  /** Maps to the whole e-mail address. */
  public static ClientCertificateMapper byEmailAddress() {
    return new ClientCertificateMapper(Optional.empty());
  }

  /** Maps addresses in {@code domain} to their local part; others to nobody. */
  public static ClientCertificateMapper byLocalPartIn(String domain) {
    return new ClientCertificateMapper(Optional.of(domain));
  }

  /**
   * The user the certificate names, or empty when it names none or more than one. The certificate
   * must already be verified (see {@link ServerTls#peerCertificate}).
   */
  public Optional<String> userFor(X509Certificate certificate) {
    Set<String> addresses = sanAddresses(certificate);
    if (addresses.isEmpty()) {
      addresses = subjectAddresses(certificate);
    }
    Set<String> users = new LinkedHashSet<>();
    for (String address : addresses) {
      userOf(address).ifPresent(users::add);
    }
    return users.size() == 1 ? Optional.of(users.iterator().next()) : Optional.empty();
  }

  private Optional<String> userOf(String address) {
    int at = address.lastIndexOf('@');
    if (at <= 0
        || at == address.length() - 1
        || address.chars().anyMatch(c -> c <= ' ' || c >= 0x7F)) {
      return Optional
          .empty(); // not an address, or bytes that must never reach a log or an upstream
    }
    String local = address.substring(0, at);
    String domain = address.substring(at + 1).toLowerCase(Locale.ROOT);
    if (requiredDomain.isEmpty()) {
      return Optional.of(local + "@" + domain);
    }
    return requiredDomain.get().equals(domain) ? Optional.of(local) : Optional.empty();
  }

  private static Set<String> sanAddresses(X509Certificate certificate) {
    Set<String> out = new LinkedHashSet<>();
    try {
      var names = certificate.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if ((Integer) name.get(0) == SAN_RFC822 && name.get(1) instanceof String value) {
            out.add(value);
          }
        }
      }
    } catch (CertificateParsingException e) {
      return Set.of();
    }
    return out;
  }

  private static Set<String> subjectAddresses(X509Certificate certificate) {
    Set<String> out = new LinkedHashSet<>();
    X500Name subject = X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded());
    for (RDN rdn : subject.getRDNs()) {
      for (AttributeTypeAndValue value : rdn.getTypesAndValues()) {
        if (BCStyle.EmailAddress.equals(value.getType())
            && value.getValue() instanceof ASN1String text) {
          out.add(text.getString());
        }
      }
    }
    return out;
  }
}
