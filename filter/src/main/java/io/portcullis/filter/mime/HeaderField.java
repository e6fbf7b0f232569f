package io.portcullis.filter.mime;

/**
 * A header field with its value unfolded and RFC 2047 encoded words decoded.
 *
 * @param name field name as written
 * @param value unfolded, decoded value
 * @param raw unfolded value before RFC 2047 decoding
 */
public record HeaderField(String name, String value, String raw) {

  /** Whether the field has this name, ignoring case. */
  public boolean is(String other) {
    return name.equalsIgnoreCase(other);
  }
}
