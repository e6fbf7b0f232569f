package io.portcullis.filter;

/**
 * A zip whose single entry is flagged as encrypted (general purpose bit 0), as ZipCrypto writes it.
 */
final class EncryptedZip {

  private EncryptedZip() {}

  static byte[] withEntry(String name) {
    byte[] zip = TestMessages.zipOf(name, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13});
    for (int i = 0; i + 4 < zip.length; i++) {
      if (zip[i] == 'P' && zip[i + 1] == 'K') {
        if (zip[i + 2] == 3 && zip[i + 3] == 4) {
          zip[i + 6] |= 1; // local file header: flags at offset 6
        } else if (zip[i + 2] == 1 && zip[i + 3] == 2) {
          zip[i + 8] |= 1; // central directory header: flags at offset 8
        }
      }
    }
    return zip;
  }
}
