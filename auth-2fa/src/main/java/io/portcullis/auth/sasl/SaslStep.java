package io.portcullis.auth.sasl;

import io.portcullis.auth.Credentials;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/** The outcome of feeding one client response into a {@link SaslSession}. */
public sealed interface SaslStep {

  /** Send these bytes (base64-encoded by {@link SaslCodec}) as a server challenge and wait. */
  record Challenge(byte[] data) implements SaslStep {
    public Challenge {
      data = data.clone();
    }

    @Override
    public byte[] data() {
      return data.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Challenge c && Arrays.equals(data, c.data);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
      return "Challenge[" + HexFormat.of().formatHex(data) + "]";
    }
  }

  /** The exchange produced credentials; the gateway now asks the Authenticator. */
  record Done(Credentials credentials) implements SaslStep {
    public Done {
      Objects.requireNonNull(credentials, "credentials");
    }
  }

  /**
   * The exchange failed; the client gets the uniform failure text.
   *
   * @param reason an audit reason code such as {@code cancelled} or {@code bad-base64}, never
   *     client text
   */
  record Failed(String reason) implements SaslStep {
    public Failed {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
