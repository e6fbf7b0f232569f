package io.portcullis.gateway.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.portcullis.gateway.session.ClientSession;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Structured audit events, one JSON object per line on the {@code portcullis.audit} logger. Events
 * carry who, from where, how, the outcome and a reason code — never a password, token, code or
 * message content (DESIGN: security invariants). Thread-safe.
 */
public final class AuditLog {
  /** The logger that receives audit lines; route it with logback configuration. */
  public static final String LOGGER = "portcullis.audit";

  private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_FIELD = 256;

  private final Clock clock;
  private final MeterRegistry meters;
  private final Timer scanTime;

  /** An audit log whose events are not counted anywhere (tools and tests). */
  public AuditLog(Clock clock) {
    this(clock, new SimpleMeterRegistry());
  }

  /** An audit log that also counts every event in {@code meters} (docs/operations.md). */
  public AuditLog(Clock clock, MeterRegistry meters) {
    this.clock = clock;
    this.meters = meters;
    this.scanTime =
        Timer.builder("portcullis.message.scan")
            .description("Time from fetching a message to its decided outcome")
            .publishPercentileHistogram()
            .register(meters);
  }

  /** The reason code without the rule that produced it ("policy-denied:x (rule r)" → reason). */
  private static String reasonCode(String reason) {
    if (reason == null) {
      return "none";
    }
    int paren = reason.indexOf(" (");
    String code = paren < 0 ? reason : reason.substring(0, paren);
    return code.length() > 64 ? code.substring(0, 64) : code;
  }

  /** Outcome of a login attempt. */
  public enum Outcome {
    SUCCESS,
    FAILURE,
    TEMPORARY_FAILURE
  }

  /**
   * One login attempt.
   *
   * @param user the name the client gave (sanitised and truncated here), or null
   * @param mechanism USER, PLAIN, LOGIN, … as the client chose
   * @param reason a fixed reason code such as {@code upstream-rejected} or {@code tls-untrusted}
   */
  public void login(
      ClientSession session, String user, String mechanism, Outcome outcome, String reason) {
    Map<String, Object> event = base("login", session);
    event.put("user", user == null ? null : printable(user));
    event.put("mechanism", mechanism);
    event.put("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT));
    event.put("reason", reason);
    emit(event);
    meters
        .counter(
            "portcullis.logins",
            "protocol",
            session.listener().url().protocol().scheme(),
            "outcome",
            outcome.name().toLowerCase(java.util.Locale.ROOT),
            "reason",
            reasonCode(reason))
        .increment();
  }

  /** A connection-level event: {@code connect-refused}, {@code starttls-injection}, … */
  public void session(ClientSession session, String event, String reason) {
    Map<String, Object> map = base(event, session);
    map.put("user", session.user());
    map.put("reason", reason);
    emit(map);
    meters
        .counter(
            "portcullis.session.events",
            "protocol",
            session.listener().url().protocol().scheme(),
            "event",
            event)
        .increment();
  }

  /** A monitor-mode policy rule matched: what it would have decided; nothing was changed. */
  public void policyMonitor(ClientSession session, String user, String rule, String wouldDo) {
    Map<String, Object> map = base("policy-monitor", session);
    map.put("user", user == null ? null : printable(user));
    map.put("rule", rule);
    map.put("decision", wouldDo);
    emit(map);
    meters.counter("portcullis.policy.monitor", "rule", rule).increment();
  }

  /**
   * One message went through the filter: what was decided and why, never its content.
   *
   * @param account the upstream account ({@code route/user})
   * @param location where the message is upstream (a POP3 UIDL or an IMAP mailbox and UID)
   * @param action the action taken
   * @param rule the policy rule that decided
   * @param labels the verdict's labels
   * @param quarantineId the original's quarantine entry, or null
   * @param millis how long the scan took
   */
  public void message(
      String account,
      String location,
      String action,
      String rule,
      java.util.List<String> labels,
      double score,
      boolean scanned,
      String quarantineId,
      long millis) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("time", clock.instant().toString());
    map.put("event", "message");
    map.put("account", printable(account));
    map.put("location", printable(location));
    map.put("action", action);
    map.put("rule", rule);
    map.put("labels", labels);
    map.put("score", Math.round(score * 100) / 100.0);
    map.put("scanned", scanned);
    map.put("quarantine", quarantineId);
    map.put("millis", millis);
    emit(map);
    meters
        .counter("portcullis.messages", "action", action, "scanned", String.valueOf(scanned))
        .increment();
    for (String label : labels) {
      meters.counter("portcullis.message.labels", "label", label).increment();
    }
    if (quarantineId != null) {
      meters.counter("portcullis.quarantined").increment();
    }
    if (scanned) {
      scanTime.record(java.time.Duration.ofMillis(millis));
    }
  }

  /** A monitor-mode filtering rule matched a message: what it would have done. */
  public void messageMonitor(String account, String location, String rule, String wouldDo) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("time", clock.instant().toString());
    map.put("event", "policy-monitor");
    map.put("account", printable(account));
    map.put("location", printable(location));
    map.put("rule", rule);
    map.put("decision", wouldDo);
    emit(map);
    meters.counter("portcullis.policy.monitor", "rule", rule).increment();
  }

  private Map<String, Object> base(String event, ClientSession session) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("time", clock.instant().toString());
    map.put("event", event);
    map.put("session", session.id());
    map.put("protocol", session.listener().url().protocol().scheme());
    map.put("listener", session.listener().url().toString());
    map.put("source", session.sourceAddress().getHostAddress());
    map.put("tls", session.tlsActive());
    return map;
  }

  private static void emit(Map<String, Object> event) {
    try {
      LOG.info(JSON.writeValueAsString(event));
    } catch (JsonProcessingException e) {
      LOG.error("audit event could not be written: {}", e.getClass().getSimpleName());
    }
  }

  /** Control characters become '?' and long values are cut, so a name cannot forge log lines. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder(Math.min(s.length(), MAX_FIELD));
    for (int i = 0; i < s.length() && b.length() < MAX_FIELD; i++) {
      char c = s.charAt(i);
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }
}
