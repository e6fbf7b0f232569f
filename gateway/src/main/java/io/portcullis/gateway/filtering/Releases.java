package io.portcullis.gateway.filtering;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Releases asked for with {@code portcullis quarantine release}. The command has no upstream
 * credentials, so the request waits here (durably, {@link StateStore} namespace {@code release})
 * and the next session of the account carries it out: POP3 shows the original again, IMAP moves it
 * back from the quarantine mailbox. Thread-safe; blocking I/O.
 */
public final class Releases {
  private static final String NAMESPACE = "release";
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One request.
   *
   * @param quarantineId the original's quarantine entry (its SHA-256)
   * @param account the upstream account it belongs to
   * @param location where it was ({@link MessageRef#location()})
   * @param requestedAt when release was asked for
   */
  public record Release(String quarantineId, String account, String location, Instant requestedAt) {
    public Release {
      Objects.requireNonNull(quarantineId, "quarantineId");
      Objects.requireNonNull(account, "account");
      Objects.requireNonNull(location, "location");
      Objects.requireNonNull(requestedAt, "requestedAt");
    }

    /** The message this release is about. */
    public MessageRef ref() {
      return new MessageRef(account, location);
    }
  }

  private final StateStore state;

  public Releases(StateStore state) {
    this.state = state;
  }

  /** Requests for {@code account}, oldest first. */
  public List<Release> pending(String account) {
    List<Release> out = new ArrayList<>();
    for (String key : state.keys(NAMESPACE)) {
      if (key.startsWith(account + "\n")) {
        state.get(NAMESPACE, key).map(Releases::decode).ifPresent(out::add);
      }
    }
    out.sort(Comparator.comparing(Release::requestedAt));
    return out;
  }

  /** Records a request; durable when this returns. Asking twice is one request. */
  public void request(Release r) {
    try {
      state.put(
          NAMESPACE,
          key(r),
          JSON.writeValueAsBytes(
              Map.of(
                  "quarantine", r.quarantineId(),
                  "account", r.account(),
                  "location", r.location(),
                  "requested", r.requestedAt().toString())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Marks a request carried out. */
  public void done(Release r) {
    state.delete(NAMESPACE, key(r));
  }

  private static String key(Release r) {
    return r.account() + "\n" + r.quarantineId();
  }

  private static Release decode(byte[] bytes) {
    try {
      JsonNode o = JSON.readTree(bytes);
      return new Release(
          o.path("quarantine").asText(),
          o.path("account").asText(),
          o.path("location").asText(),
          Instant.parse(o.path("requested").asText()));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
