package io.portcullis.gateway.pop3;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Policy files for POP3 tests (docs/policies.md). */
final class Pop3TestPolicies {
  /** No scanning: the session is the plain relay, byte for byte and command for command. */
  static final String SCAN_OFF =
      """
      version: 1
      defaults:
        scanning:
          scan: "off"
      """;

  private Pop3TestPolicies() {}

  /** Writes {@code yaml} as {@code name} in {@code dir} and returns its path. */
  static Path write(Path dir, String name, String yaml) throws IOException {
    return Files.writeString(dir.resolve(name), yaml);
  }

  /** A policy file that turns scanning off, in {@code dir}. */
  static Path scanOff(Path dir) throws IOException {
    return write(dir, "scan-off.yml", SCAN_OFF);
  }
}
