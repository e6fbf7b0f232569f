package io.portcullis.auth.sasl;

import io.portcullis.auth.PasswordCredentials;
import io.portcullis.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The LOGIN mechanism (draft-murchison-sasl-login): "Username:" then "Password:". Not thread-safe.
 */
final class LoginExchange implements Exchange {
  static final byte[] USERNAME = "Username:".getBytes(StandardCharsets.US_ASCII);
  static final byte[] PASSWORD = "Password:".getBytes(StandardCharsets.US_ASCII);

  private String user;

  @Override
  public SaslStep start() {
    return new SaslStep.Challenge(USERNAME);
  }

  @Override
  public SaslStep respond(byte[] response) {
    if (user == null) {
      Optional<String> name = Text.identity(response, 0, response.length);
      if (name.isEmpty()) {
        return new SaslStep.Failed("malformed");
      }
      if (name.get().isEmpty()) {
        return new SaslStep.Failed("empty-response");
      }
      user = name.get();
      return new SaslStep.Challenge(PASSWORD);
    }
    if (response.length == 0) {
      return new SaslStep.Failed("empty-response");
    }
    if (Text.indexOf(response, (byte) 0, 0, response.length) >= 0
        || Text.utf8(response, 0, response.length).isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    return new SaslStep.Done(PasswordCredentials.of(user, Secret.ofUtf8(response)));
  }
}
