package io.portcullis.auth.sasl;

import io.portcullis.auth.ExternalCredentials;
import java.util.Optional;

/**
 * RFC 4422 appendix A EXTERNAL: the response is the requested authzid, possibly empty. Not
 * thread-safe.
 */
final class ExternalExchange implements Exchange {
  @Override
  public SaslStep start() {
    return new SaslStep.Challenge(new byte[0]);
  }

  @Override
  public SaslStep respond(byte[] response) {
    Optional<String> authzid = Text.identity(response, 0, response.length);
    if (authzid.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    return new SaslStep.Done(new ExternalCredentials(authzid.get()));
  }
}
