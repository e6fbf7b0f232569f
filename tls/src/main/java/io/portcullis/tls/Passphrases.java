package io.portcullis.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Resolves {@code file:PATH} and {@code env:NAME} passphrase sources. Stateless. */
final class Passphrases {
  private static final String FILE = "file:";
  private static final String ENV = "env:";

  private Passphrases() {}

  static void checkSyntax(String source) {
    if (source.startsWith(FILE) && source.length() > FILE.length()) {
      return;
    }
    if (source.startsWith(ENV) && source.length() > ENV.length()) {
      return;
    }
    // The value might be a passphrase pasted by mistake: never echo it.
    throw new IllegalArgumentException(
        "keyPassphraseSource must be \"file:PATH\" or \"env:NAME\" (value not shown)");
  }

  static char[] resolve(String source, Map<String, String> environment) throws TlsException {
    checkSyntax(source);
    if (source.startsWith(FILE)) {
      Path file = Path.of(source.substring(FILE.length()));
      try {
        String content = Files.readString(file, StandardCharsets.UTF_8);
        int end = content.indexOf('\n');
        String line = end < 0 ? content : content.substring(0, end);
        if (line.endsWith("\r")) {
          line = line.substring(0, line.length() - 1);
        }
        if (line.isEmpty()) {
          throw new TlsException(file + ": passphrase file is empty");
        }
        return line.toCharArray();
      } catch (IOException e) {
        throw new TlsException(
            file + ": cannot read passphrase file (" + e.getClass().getSimpleName() + ")", e);
      }
    }
    String name = source.substring(ENV.length());
    String value = environment.get(name);
    if (value == null || value.isEmpty()) {
      throw new TlsException("environment variable " + name + " (key passphrase) is not set");
    }
    return value.toCharArray();
  }
}
