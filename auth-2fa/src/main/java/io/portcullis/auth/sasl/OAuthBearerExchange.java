package io.portcullis.auth.sasl;

import io.portcullis.auth.BearerCredentials;
import io.portcullis.auth.Secret;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 7628 §3.1 OAUTHBEARER client response: {@code gs2-header ^A *(key=value ^A) ^A}. Channel
 * binding ({@code p=}) is refused: OAUTHBEARER defines none. Not thread-safe.
 */
final class OAuthBearerExchange implements Exchange {
  private final int maxTokenBytes;

  OAuthBearerExchange(int maxTokenBytes) {
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
    int comma1 = Text.indexOf(message, (byte) ',', 0, n);
    int comma2 = comma1 < 0 ? -1 : Text.indexOf(message, (byte) ',', comma1 + 1, n);
    if (comma2 < 0) {
      return new SaslStep.Failed("malformed");
    }
    String cbFlag = new String(message, 0, comma1, StandardCharsets.US_ASCII);
    if (!cbFlag.equals("n") && !cbFlag.equals("y")) {
      return new SaslStep.Failed("malformed");
    }
    Optional<String> authzid = Text.identity(message, comma1 + 1, comma2).flatMap(this::authzid);
    if (authzid.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    // After the GS2 header: kvsep, pairs each ending in kvsep, and a final kvsep.
    int body = comma2 + 1;
    if (n - body < 2 || message[body] != 1 || message[n - 1] != 1 || message[n - 2] != 1) {
      return new SaslStep.Failed("malformed");
    }
    Map<String, String> pairs = new HashMap<>();
    int start = body + 1;
    while (start < n - 1) {
      int end = Text.indexOf(message, (byte) 1, start, n);
      if (end == start) {
        return new SaslStep.Failed("malformed"); // an empty pair before the end
      }
      if (end - start > maxTokenBytes + 64) {
        return new SaslStep.Failed("token-too-long");
      }
      String pair = new String(message, start, end - start, StandardCharsets.UTF_8);
      int eq = pair.indexOf('=');
      if (eq <= 0 || !isAlpha(pair.substring(0, eq)) || !isValue(pair.substring(eq + 1))) {
        return new SaslStep.Failed("malformed");
      }
      if (pairs.put(pair.substring(0, eq), pair.substring(eq + 1)) != null) {
        return new SaslStep.Failed("malformed"); // a repeated key is ambiguous
      }
      start = end + 1;
    }
    String auth = pairs.get("auth");
    if (auth == null) {
      return new SaslStep.Failed("malformed");
    }
    Optional<String> token = BearerToken.parse(auth);
    if (token.isEmpty()) {
      return new SaslStep.Failed("malformed");
    }
    if (token.get().length() > maxTokenBytes) {
      return new SaslStep.Failed("token-too-long");
    }
    return new SaslStep.Done(
        new BearerCredentials(authzid.get(), Secret.of(token.get()), SaslMechanism.OAUTHBEARER));
  }

  /** {@code [ "a=" saslname ]} with RFC 5801 escapes {@code =2C} and {@code =3D}. */
  private Optional<String> authzid(String field) {
    if (field.isEmpty()) {
      return Optional.of("");
    }
    if (!field.startsWith("a=")) {
      return Optional.empty();
    }
    String name = field.substring(2);
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '=') {
        if (name.startsWith("=2C", i)) {
          out.append(',');
        } else if (name.startsWith("=3D", i)) {
          out.append('=');
        } else {
          return Optional.empty();
        }
        i += 2;
      } else {
        out.append(c);
      }
    }
    return out.isEmpty() ? Optional.empty() : Optional.of(out.toString());
  }

  private static boolean isAlpha(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
        return false;
      }
    }
    return true;
  }

  /** value = *(VCHAR / SP / HTAB / CR / LF) (RFC 7628 §3.1). */
  private static boolean isValue(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!((c >= 0x21 && c <= 0x7e) || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
        return false;
      }
    }
    return true;
  }
}
