package io.portcullis.auth.sasl;

import io.portcullis.auth.BearerCredentials;
import io.portcullis.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * XOAUTH2 as Google and Microsoft define it: {@code user=U ^A auth=Bearer T ^A ^A}, one response.
 * Not thread-safe.
 */
final class XOAuth2Exchange implements Exchange {
  private final int maxTokenBytes;

  XOAuth2Exchange(int maxTokenBytes) {
    this.maxTokenBytes = maxTokenBytes;
  }

  @Override
  public SaslStep start() {
    return new SaslStep.Challenge(new byte[0]);
  }

  @Override
  public SaslStep respond(byte[] message) {
    if (message.length == 0) {
      return new SaslStep.Failed("empty-response");
    }
    int n = message.length;
    if (n < 2 || message[n - 1] != 1 || message[n - 2] != 1) {
      return new SaslStep.Failed("malformed");
    }
    int sep = Text.indexOf(message, (byte) 1, 0, n - 2);
    if (sep < 0 || Text.indexOf(message, (byte) 1, sep + 1, n - 2) >= 0) {
      return new SaslStep.Failed("malformed");
    }
    Optional<String> userPair = Text.identity(message, 0, sep);
    if (userPair.isEmpty() || !userPair.get().startsWith("user=")) {
      return new SaslStep.Failed("malformed");
    }
    String user = userPair.get().substring("user=".length());
    if (user.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    if (n - 2 - (sep + 1) > maxTokenBytes + "auth=Bearer ".length()) {
      return new SaslStep.Failed("token-too-long");
    }
    String authPair = new String(message, sep + 1, n - 2 - (sep + 1), StandardCharsets.US_ASCII);
    if (!authPair.startsWith("auth=")) {
      return new SaslStep.Failed("malformed");
    }
    Optional<String> token = BearerToken.parse(authPair.substring("auth=".length()));
    if (token.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    if (token.get().length() > maxTokenBytes) {
      return new SaslStep.Failed("token-too-long");
    }
    return new SaslStep.Done(
        new BearerCredentials(user, Secret.of(token.get()), SaslMechanism.XOAUTH2));
  }
}
