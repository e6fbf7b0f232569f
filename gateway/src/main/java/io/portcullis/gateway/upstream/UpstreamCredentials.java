package io.portcullis.gateway.upstream;

/** What the gateway sends upstream to log in, encoded as UTF-8 on the wire. Never printed. */
public record UpstreamCredentials(String user, String password) {
  public UpstreamCredentials {
    if (user == null || password == null) {
      throw new IllegalArgumentException("user and password are required");
    }
  }

  /** Whether both values are free of CR, LF and NUL, which no line protocol can carry (A3). */
  public boolean lineSafe() {
    return safe(user) && safe(password);
  }

  private static boolean safe(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "UpstreamCredentials[user=" + user + ", password=<redacted>]";
  }
}
