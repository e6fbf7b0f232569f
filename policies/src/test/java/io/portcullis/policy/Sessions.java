package io.portcullis.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;

/** Builds {@link SessionFacts} for tests: a TLS 1.3 IMAP PLAIN login unless told otherwise. */
final class Sessions {

  private String user = "alice@corp.example";
  private Set<String> groups = Set.of();
  private String source = "192.0.2.1";
  private String listener = "imaps";
  private String protocol = "imap";
  private Optional<String> tls = Optional.of("TLSv1.3");
  private boolean certificate;
  private String mechanism = "PLAIN";
  private Instant time = Instant.parse("2026-01-05T10:00:00Z");

  static Sessions session() {
    return new Sessions();
  }

  Sessions user(String u) {
    user = u;
    return this;
  }

  Sessions groups(String... g) {
    groups = Set.of(g);
    return this;
  }

  Sessions source(String s) {
    source = s;
    return this;
  }

  Sessions listener(String l) {
    listener = l;
    return this;
  }

  Sessions protocol(String p) {
    protocol = p;
    return this;
  }

  Sessions tls(String version) {
    tls = version == null ? Optional.empty() : Optional.of(version);
    return this;
  }

  Sessions certificate(boolean c) {
    certificate = c;
    return this;
  }

  Sessions mechanism(String m) {
    mechanism = m;
    return this;
  }

  Sessions time(String instant) {
    time = Instant.parse(instant);
    return this;
  }

  SessionFacts build() {
    try {
      return new SessionFacts(
          user,
          groups,
          InetAddress.getByName(source), // literal addresses only: no lookup happens
          listener,
          protocol,
          tls,
          certificate,
          mechanism,
          time);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public String toString() {
    return user + " " + groups + " from " + source + " " + protocol + " " + mechanism;
  }
}
