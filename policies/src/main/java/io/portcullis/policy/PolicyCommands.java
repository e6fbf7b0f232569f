package io.portcullis.policy;

import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The logic of {@code portcullis policy check|explain|test|show-default}, free of any CLI
 * framework: the gateway's picocli commands parse options and call these methods, which print to
 * the given writers and return the exit code. Not thread-safe (writers are shared).
 */
public final class PolicyCommands {

  /** Exit code: the policy is valid, the explanation was printed, all cases passed. */
  public static final int OK = 0;

  /** Exit code: the policy or test file is invalid, or a test case failed. */
  public static final int FAILED = 1;

  /** Exit code: the command line itself is wrong (for example an address that is not one). */
  public static final int USAGE = 2;

  /**
   * The session (and optional message) to explain; null or empty optional values take the defaults
   * of policy test files (listener {@code default}, imap, TLSv1.3, PLAIN, no groups).
   *
   * @param user the user name
   * @param source the client address, a literal IPv4 or IPv6 address (no name lookup)
   * @param protocol imap or pop3, or null
   * @param mechanism the authentication mechanism, or null
   * @param groups the user's groups
   * @param listener the listener name, or null
   * @param tlsVersion the TLS version, {@code none} for plaintext, or null
   * @param clientCertificate whether a client certificate was presented
   * @param time when, or null for now
   * @param messageLabels verdict labels; a message is explained when this or {@code message} is
   *     given
   */
  public record ExplainRequest(
      String user,
      String source,
      String protocol,
      String mechanism,
      List<String> groups,
      String listener,
      String tlsVersion,
      boolean clientCertificate,
      Instant time,
      List<String> messageLabels) {

    public ExplainRequest {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(source, "source");
      groups = groups == null ? List.of() : List.copyOf(groups);
      messageLabels = messageLabels == null ? List.of() : List.copyOf(messageLabels);
    }
  }

  private final PrintWriter out;
  private final PrintWriter err;
  private final Clock clock;

  /**
   * @param out where results go
   * @param err where errors go
   * @param clock the time of an explained session when the request gives none
   */
  public PolicyCommands(PrintWriter out, PrintWriter err, Clock clock) {
    this.out = Objects.requireNonNull(out, "out");
    this.err = Objects.requireNonNull(err, "err");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** {@code policy check FILE}: validates, prints warnings; non-zero exit on any error. */
  public int check(Path file) {
    try {
      Policy p = PolicyLoader.load(file);
      p.warnings().forEach(w -> out.println(w));
      out.println(
          file
              + ": valid ("
              + p.access.size()
              + " access, "
              + p.routing.size()
              + " routing, "
              + p.scanning.size()
              + " scanning, "
              + p.filtering.size()
              + " filtering rules; "
              + p.warnings().size()
              + (p.warnings().size() == 1 ? " warning)" : " warnings)"));
      return OK;
    } catch (PolicyException e) {
      e.problems().forEach(err::println);
      return FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /**
   * {@code policy explain}: the decisions for a session (and message) and the rule that made each;
   * the built-in default policy when no file is given.
   */
  public int explain(Optional<Path> file, ExplainRequest request, Optional<MessageFacts> message) {
    try {
      Policy policy = file.isPresent() ? PolicyLoader.load(file.get()) : Policy.builtInDefault();
      SessionFacts s;
      try {
        s = facts(request);
      } catch (IllegalArgumentException e) {
        err.println("policy explain: " + e.getMessage());
        return USAGE;
      }
      Optional<MessageFacts> m =
          message.isPresent() || request.messageLabels().isEmpty()
              ? message
              : Optional.of(
                  new MessageFacts(Set.copyOf(request.messageLabels()), 0, Set.of(), Set.of(), 0));
      PolicyExplainer explainer = new PolicyExplainer(new PolicyEngine(policy));
      out.print(m.isPresent() ? explainer.explain(s, m.get()) : explainer.explain(s));
      return OK;
    } catch (PolicyException e) {
      e.problems().forEach(err::println);
      return FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** {@code policy test FILE}: runs the cases; non-zero exit if any expectation fails. */
  public int test(Path file) {
    try {
      PolicyTestRunner.Result r = PolicyTestRunner.run(file);
      r.failures().forEach(f -> out.println(f));
      out.println(
          file
              + ": "
              + r.cases()
              + " cases against "
              + r.policySource()
              + ", "
              + (r.passed() ? "all passed" : r.failures().size() + " failed expectations"));
      return r.passed() ? OK : FAILED;
    } catch (PolicyException e) {
      e.problems().forEach(err::println);
      return FAILED;
    } finally {
      out.flush();
      err.flush();
    }
  }

  /** {@code policy show-default}: prints the built-in default policy as YAML. */
  public int showDefault() {
    out.print(Policy.builtInDefault().sourceText());
    out.flush();
    return OK;
  }

  private SessionFacts facts(ExplainRequest r) {
    String source = r.source().strip();
    byte[] raw = source.indexOf(':') >= 0 ? Cidr.parseIpv6(source) : Cidr.parseIpv4(source);
    if (raw == null) {
      throw new IllegalArgumentException("--source must be an IPv4 or IPv6 address");
    }
    InetAddress address;
    try {
      address = InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--source must be an IPv4 or IPv6 address", e);
    }
    String tls = r.tlsVersion() == null ? "TLSv1.3" : r.tlsVersion();
    return new SessionFacts(
        r.user(),
        Set.copyOf(r.groups()),
        address,
        r.listener() == null ? "default" : r.listener(),
        r.protocol() == null ? "imap" : r.protocol(),
        tls.equals("none") ? Optional.empty() : Optional.of(tls),
        r.clientCertificate(),
        r.mechanism() == null ? "PLAIN" : r.mechanism(),
        r.time() == null ? clock.instant() : r.time());
  }
}
