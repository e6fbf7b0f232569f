package io.portcullis.policy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Loads and validates a policy file. Side-effect free: it reads the file, returns a new immutable
 * {@link Policy} or throws, and touches nothing else, so the gateway can call it on every reload.
 * Thread-safe.
 */
public final class PolicyLoader {

  /** Policy files larger than this are refused before parsing (a policy is a few KiB). */
  static final int MAX_POLICY_BYTES = 1024 * 1024;

  private PolicyLoader() {}

  /**
   * Loads a policy file.
   *
   * @throws PolicyException with every problem found, each as {@code file:line:column: problem}
   */
  public static Policy load(Path file) throws PolicyException {
    String name = file.toString();
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_POLICY_BYTES + 1);
    } catch (IOException e) {
      throw single(name, "cannot read the policy file (" + e.getClass().getSimpleName() + ")");
    }
    if (bytes.length > MAX_POLICY_BYTES) {
      throw single(name, "policy file is larger than " + MAX_POLICY_BYTES + " bytes");
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw single(name, "policy file is not valid UTF-8");
    }
    return parse(name, text);
  }

  /**
   * Parses policy text; {@code sourceName} prefixes every message.
   *
   * @throws PolicyException with every problem found
   */
  public static Policy parse(String sourceName, String text) throws PolicyException {
    return new PolicyCompiler(sourceName, text, Policy.builtInDefault()).compile();
  }

  private static PolicyException single(String name, String message) {
    return new PolicyException(
        List.of(new Problem(new Location(name, 1, 1), message, Problem.Severity.ERROR)));
  }
}
