package io.portcullis.bench.load;

import java.io.IOException;
import javax.net.ssl.SSLSocket;

/**
 * One client session with the handful of operations the workloads need. Each implementation checks
 * every answer and throws {@link IOException} on anything unexpected, so a broken proxy shows up as
 * errors, never as a fast run. Not thread-safe; one per virtual thread.
 */
sealed interface MailClient extends AutoCloseable permits Pop3Client, ImapClient {

  /** Reads the greeting of a freshly connected session. */
  static MailClient open(Target target) throws IOException {
    SSLSocket socket = target.connect();
    try {
      return switch (target.protocol()) {
        case POP3 -> new Pop3Client(socket);
        case IMAP -> new ImapClient(socket);
      };
    } catch (IOException | RuntimeException e) {
      socket.close();
      throw e;
    }
  }

  /** Logs in with a user name and password (POP3 USER/PASS, IMAP LOGIN). */
  void login(String user, String password) throws IOException;

  /** Opens the maildrop: POP3 STAT, IMAP SELECT INBOX. Returns the number of messages. */
  int select() throws IOException;

  /**
   * Downloads every message (POP3 RETR 1..n, IMAP UID FETCH 1:* BODY.PEEK[]) and returns the bytes
   * received for the message contents and when the first content byte arrived. POP3 records one
   * latency sample per RETR, IMAP one per literal (from the previous one, the first from the
   * command).
   */
  Fetched fetchAll(int messages, Latencies perMessage) throws IOException;

  /**
   * Downloads the first message only (POP3 RETR 1, IMAP FETCH 1 BODY.PEEK[]): the session a
   * time-to-first-byte series repeats many times, without 18 MB behind each sample.
   */
  Fetched fetchFirst(Latencies perMessage) throws IOException;

  /**
   * What {@link #fetchAll} received.
   *
   * @param bytes message content bytes (POP3: as on the wire, dot-stuffed, with the terminator)
   * @param firstByteNanos {@link System#nanoTime()} when the first message's first content byte had
   *     arrived, or 0 when there was no message
   */
  record Fetched(long bytes, long firstByteNanos) {}

  /** NOOP: keeps an idle session alive (RFC 1939 §5, RFC 9051 §6.1.2). */
  void noop() throws IOException;

  /** Enters IMAP IDLE (RFC 2177); POP3 has no push and throws. */
  void startIdle() throws IOException;

  /** Blocks in IDLE until the server announces more than {@code known} messages. */
  void awaitExists(int known) throws IOException;

  /** Ends the session politely (QUIT / LOGOUT). */
  void logout() throws IOException;

  @Override
  void close() throws IOException;
}
