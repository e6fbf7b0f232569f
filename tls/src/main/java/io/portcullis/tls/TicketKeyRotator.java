package io.portcullis.tls;

import io.netty.handler.ssl.OpenSslSessionContext;
import io.netty.handler.ssl.OpenSslSessionTicketKey;
import io.netty.handler.ssl.SslContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Session-ticket keys for OpenSSL server contexts (RFC 8446 §4.6.1, RFC 5077): a fresh key encrypts
 * new tickets each interval, the previous one still decrypts, older tickets fall back to a full
 * handshake. Keys live only in memory. Thread-safe.
 */
final class TicketKeyRotator {
  /** How often a new encryption key is made; a ticket is usable for at most two intervals. */
  static final Duration INTERVAL = Duration.ofHours(12);

  private final Clock clock;
  private final SecureRandom random = new SecureRandom();
  private final Set<SslContext> contexts = Collections.newSetFromMap(new WeakHashMap<>());
  private List<OpenSslSessionTicketKey> keys = List.of();
  private Instant lastRotation = Instant.MIN;

  TicketKeyRotator(Clock clock) {
    this.clock = clock;
    rotateIfDue();
  }

  /** Applies the current keys to {@code context} (when it is OpenSSL) and keeps it up to date. */
  synchronized void register(SslContext context) {
    if (context.sessionContext() instanceof OpenSslSessionContext openSsl) {
      contexts.add(context);
      openSsl.setTicketKeys(keys.toArray(OpenSslSessionTicketKey[]::new));
    }
  }

  /** Rotates when an interval has passed since the last rotation; returns whether it did. */
  synchronized boolean rotateIfDue() {
    Instant now = clock.instant();
    if (lastRotation != Instant.MIN && now.isBefore(lastRotation.plus(INTERVAL))) {
      return false;
    }
    List<OpenSslSessionTicketKey> next = new ArrayList<>(2);
    next.add(newKey());
    if (!keys.isEmpty()) {
      next.add(keys.get(0));
    }
    keys = List.copyOf(next);
    lastRotation = now;
    OpenSslSessionTicketKey[] array = keys.toArray(OpenSslSessionTicketKey[]::new);
    for (SslContext context : contexts) {
      ((OpenSslSessionContext) context.sessionContext()).setTicketKeys(array);
    }
    return true;
  }

  /** Names of the current keys, encryption key first (for tests; names are not secret). */
  synchronized List<byte[]> keyNames() {
    return keys.stream().map(OpenSslSessionTicketKey::name).toList();
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
