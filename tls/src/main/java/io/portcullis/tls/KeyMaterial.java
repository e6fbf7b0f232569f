package io.portcullis.tls;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/** A private key and its certificate chain, leaf first, checked to belong together. Immutable. */
record KeyMaterial(PrivateKey key, List<X509Certificate> chain) {
  KeyMaterial {
    chain = List.copyOf(chain);
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("empty chain");
    }
  }

  X509Certificate leaf() {
    return chain.get(0);
  }

  @Override
  public String toString() {
    // Never print the key.
    return "KeyMaterial[" + leaf().getSubjectX500Principal().getName() + "]";
  }
}
