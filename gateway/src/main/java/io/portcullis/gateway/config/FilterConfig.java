package io.portcullis.gateway.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code filter:} — how messages are scanned in the data path (docs/filtering.md); what happens to
 * them is the policy's. Absent keys take the defaults below.
 *
 * @param model the spam model from {@code portcullis filter train}; default {@code
 *     data-dir/spam-model.bin} when that file exists, else rules only
 * @param scanTimeout how long one message's analysis may take before it is a scan error (30s)
 * @param scanThreads analyses run at once; default the number of processors
 * @param quarantineDir where originals are kept, encrypted; default {@code data-dir/quarantine}
 * @param quarantineMailbox the IMAP mailbox originals are moved to upstream, hidden from clients
 *     (default {@code Quarantine})
 * @param junkMailbox the IMAP mailbox for junk when the upstream advertises no {@code \Junk}
 *     SPECIAL-USE mailbox (default {@code Junk})
 * @param scanBudget POP3: how long building a session's maildrop may scan before the client is
 *     answered; messages left unscanned are withheld for that session (fail closed) and scanned in
 *     the next (default 60s)
 */
public record FilterConfig(
    Path model,
    String scanTimeout,
    Integer scanThreads,
    Path quarantineDir,
    String quarantineMailbox,
    String junkMailbox,
    String scanBudget) {

  public static final FilterConfig DEFAULT =
      new FilterConfig(null, null, null, null, null, null, null);

  public FilterConfig {
    scanTimeout = scanTimeout == null ? "30s" : scanTimeout;
    scanTimeoutDuration(scanTimeout); // rejects a bad value at load, naming the key
    scanBudget = scanBudget == null ? "60s" : scanBudget;
    scanTimeoutDuration(scanBudget);
    if (scanThreads != null && (scanThreads < 1 || scanThreads > 256)) {
      throw new IllegalArgumentException("scan-threads must be 1 to 256");
    }
    quarantineMailbox = mailbox("quarantine-mailbox", quarantineMailbox, "Quarantine");
    junkMailbox = mailbox("junk-mailbox", junkMailbox, "Junk");
  }

  /** The scan timeout as a duration. */
  public Duration scanTimeoutDuration() {
    return scanTimeoutDuration(scanTimeout);
  }

  /** The POP3 maildrop's scan budget as a duration. */
  public Duration scanBudgetDuration() {
    return scanTimeoutDuration(scanBudget);
  }

  /** Analyses run at once. */
  public int threads() {
    return scanThreads != null ? scanThreads : Runtime.getRuntime().availableProcessors();
  }

  private static Duration scanTimeoutDuration(String text) {
    Duration d = ConfigLoader.parseDuration(text);
    if (d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("scan-timeout must be positive");
    }
    return d;
  }

  private static String mailbox(String key, String value, String fallback) {
    if (value == null) {
      return fallback;
    }
    // An IMAP astring without quoting trouble; INBOX cannot be hidden or used as junk.
    if (value.isEmpty()
        || value.length() > 200
        || value.equalsIgnoreCase("INBOX")
        || !value.chars().allMatch(c -> c > 0x20 && c < 0x7f && "(){%*\"\\]".indexOf(c) < 0)) {
      throw new IllegalArgumentException(
          key + " must be a plain mailbox name other than INBOX (printable ASCII, no spaces)");
    }
    return value;
  }
}
