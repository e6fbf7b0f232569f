package io.portcullis.filter.attachment;

import java.util.List;

/**
 * An archive whose compression the module cannot undo (RAR, CAB with LZX/Quantum) read as far as it
 * can: member names, whether each is encrypted, and the bytes of members stored without
 * compression.
 *
 * @param entries the members in order
 * @param headersEncrypted whether the member list itself is encrypted (no names are visible)
 */
record ListedArchive(List<Entry> entries, boolean headersEncrypted) {

  /**
   * One member.
   *
   * @param data the member's bytes when stored uncompressed and unencrypted, else null
   */
  record Entry(String name, boolean directory, boolean encrypted, byte[] data) {}
}
