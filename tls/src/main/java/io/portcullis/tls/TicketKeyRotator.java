package io.portcullis.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Session-ticket keys for OpenSSL server contexts (RFC 8446 §4.6.1, RFC 5077): each context (one
 * per certificate and per reload) has its own keys, so a ticket never resumes a session under
 * another SNI name (RFC 6066 §3) or a replaced certificate. A fresh key encrypts new tickets each
 * interval, the previous one still decrypts, older tickets cost a full handshake. Keys live only in
 * memory. Thread-safe.
 */
final class TicketKeyRotator {
  /** How often a new encryption key is made; a ticket is usable for at most two intervals. */
  static final Duration INTERVAL = Duration.ofHours(12);

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Map<SslContext, List<OpenSslSessionTicketKey>> keys = new WeakHashMap<>();
  private Instant lastRotation;

  TicketKeyRotator(Clock clock) {
    this.clock = clock;
    this.lastRotation = clock.instant();
  }

  /** Gives {@code context} (when it is OpenSSL) its own keys and rotates them from now on. */
  synchronized void register(SslContext context) {
    if (context.sessionContext() instanceof OpenSslSessionContext) {
      apply(context, List.of(newKey()));
    }
  }

  /** Rotates when an interval has passed since the last rotation; returns whether it did. */
  synchronized boolean rotateIfDue() {
    Instant now = clock.instant();
    if (now.isBefore(lastRotation.plus(INTERVAL))) {
      return false;
    }
    lastRotation = now;
    for (var entry : List.copyOf(keys.entrySet())) {
      apply(entry.getKey(), List.of(newKey(), entry.getValue().get(0)));
    }
    return true;
  }

  /** Names of the keys of {@code context}, encryption key first (names are not secret). */
  synchronized List<byte[]> keyNames(SslContext context) {
    return keys.getOrDefault(context, List.of()).stream()
        .map(OpenSslSessionTicketKey::name)
        .toList();
  }

  private void apply(SslContext context, List<OpenSslSessionTicketKey> next) {
    keys.put(context, next);
    ((OpenSslSessionContext) context.sessionContext())
        .setTicketKeys(next.toArray(OpenSslSessionTicketKey[]::new));
  }

  private OpenSslSessionTicketKey newKey() {
    byte[] name = new byte[OpenSslSessionTicketKey.NAME_SIZE];
    byte[] hmac = new byte[OpenSslSessionTicketKey.HMAC_KEY_SIZE];
    byte[] aes = new byte[OpenSslSessionTicketKey.AES_KEY_SIZE];
    random.nextBytes(name);
    random.nextBytes(hmac);
    random.nextBytes(aes);
    return new OpenSslSessionTicketKey(name, hmac, aes);
  }
}
