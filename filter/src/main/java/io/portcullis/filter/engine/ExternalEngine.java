package io.portcullis.filter.engine;

import io.portcullis.filter.Finding;
import java.io.InputStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * An external scanner (rspamd, spamd, clamd) consulted over its own protocol with a timeout. An
 * engine never throws: a refused connection, a timeout or a reply it cannot parse is a {@code
 * scan-error} finding, so the verdict fails closed. Implementations are thread-safe.
 */
public interface ExternalEngine {

  /** Short name used in rule ids and reasons, e.g. {@code "clamd"}. */
  String name();

  /**
   * Scans one message.
   *
   * @param message opens a fresh stream over the raw message each time it is called
   * @param size the message size in bytes
   */
  List<Finding> scan(Supplier<InputStream> message, long size);
}
