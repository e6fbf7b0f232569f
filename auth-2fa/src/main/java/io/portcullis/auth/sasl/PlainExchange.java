package io.portcullis.auth.sasl;

import io.portcullis.auth.PasswordCredentials;
import io.portcullis.auth.Secret;
import java.util.Arrays;
import java.util.Optional;

/** RFC 4616 PLAIN: {@code [authzid] NUL authcid NUL passwd}, one response. Not thread-safe. */
final class PlainExchange implements Exchange {
  @Override
  public SaslStep start() {
    return new SaslStep.Challenge(new byte[0]);
  }

  @Override
  public SaslStep respond(byte[] message) {
    if (message.length == 0) {
      // An empty reply to our empty challenge, or "=" as initial response: nothing to verify.
      return new SaslStep.Failed("empty-response");
    }
    int first = Text.indexOf(message, (byte) 0, 0, message.length);
    int second = first < 0 ? -1 : Text.indexOf(message, (byte) 0, first + 1, message.length);
    if (second < 0 || Text.indexOf(message, (byte) 0, second + 1, message.length) >= 0) {
      return new SaslStep.Failed("malformed");
    }
    Optional<String> authzid = Text.identity(message, 0, first);
    Optional<String> authcid = Text.identity(message, first + 1, second);
    Optional<String> password = Text.utf8(message, second + 1, message.length);
    if (authzid.isEmpty() || authcid.isEmpty() || password.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    if (authcid.get().isEmpty() || password.get().isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    byte[] secret = Arrays.copyOfRange(message, second + 1, message.length);
    try {
      return new SaslStep.Done(
          new PasswordCredentials(authzid.get(), authcid.get(), Secret.ofUtf8(secret)));
    } finally {
      Arrays.fill(secret, (byte) 0);
    }
  }
}
