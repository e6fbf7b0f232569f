package io.portcullis.filter;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Enumerates messages for the CLI: a file holding one message (.eml), an mbox file (first line
 * starts with {@code "From "}; mboxrd {@code >From} unescaped), or a directory walked recursively
 * (Maildir {@code cur/} and {@code new/}, directories of .eml files; {@code tmp/}, dot files and
 * .json skipped). One message is held in memory at a time. Not thread-safe.
 */
public final class MessageSource {

  /** One message and where it came from ({@code file} or {@code file#n} for mbox members). */
  public record Item(String name, byte[] bytes) {}

  /** Receives messages one by one. */
  @FunctionalInterface
  public interface ItemConsumer {
    void accept(Item item) throws IOException;
  }

  private static final int MAX_MESSAGE = 256 << 20;

  private MessageSource() {}

  /**
   * Delivers every message under {@code inputs}, in a stable (sorted) order.
   *
   * @throws NoSuchFileException if an input does not exist
   */
  public static void forEach(List<Path> inputs, ItemConsumer consumer) throws IOException {
    for (Path input : inputs) {
      if (!Files.exists(input)) {
        throw new NoSuchFileException(input.toString());
      }
      for (Path file : files(input)) {
        file(file, consumer);
      }
    }
  }

  /** Number of messages under {@code inputs} (mbox files are scanned for separators). */
  public static int count(List<Path> inputs) throws IOException {
    int[] n = {0};
    for (Path input : inputs) {
      for (Path file : files(input)) {
        if (isMbox(file)) {
          try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            n[0] += (int) lines.filter(l -> l.startsWith("From ")).count();
          }
        } else {
          n[0]++;
        }
      }
    }
    return n[0];
  }

  private static List<Path> files(Path input) throws IOException {
    if (!Files.isDirectory(input)) {
      return List.of(input);
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(input)) {
      walk.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .filter(p -> !p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".json"))
          .filter(
              p -> p.getParent() == null || !p.getParent().getFileName().toString().equals("tmp"))
          .sorted()
          .forEach(out::add);
    }
    return out;
  }

  private static boolean isMbox(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] head = in.readNBytes(5);
      return new String(head, StandardCharsets.ISO_8859_1).equals("From ");
    }
  }

  private static void file(Path file, ItemConsumer consumer) throws IOException {
    if (!isMbox(file)) {
      try (InputStream in = Files.newInputStream(file)) {
        consumer.accept(new Item(file.toString(), in.readNBytes(MAX_MESSAGE)));
      }
      return;
    }
    try (InputStream in =
        Files.size(file) < (64 << 20)
            ? new java.io.ByteArrayInputStream(Files.readAllBytes(file))
            : new java.io.BufferedInputStream(Files.newInputStream(file), 65536)) {
      ByteArrayOutputStream current = null;
      int index = 0;
      boolean previousBlank = true;
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int c;
      do {
        c = in.read();
        if (c >= 0) {
          line.write(c);
        }
        if (c == '\n' || c < 0 && line.size() > 0) {
          byte[] l = line.toByteArray();
          line.reset();
          String s = new String(l, 0, Math.min(l.length, 6), StandardCharsets.ISO_8859_1);
          if (s.startsWith("From ") && previousBlank) {
            if (current != null) {
              consumer.accept(new Item(file + "#" + index, trimSeparator(current.toByteArray())));
            }
            current = new ByteArrayOutputStream();
            index++;
          } else if (current != null) {
            if (isEscapedFrom(l)) {
              current.write(l, 1, l.length - 1);
            } else if (current.size() + l.length <= MAX_MESSAGE) {
              current.write(l);
            }
          }
          previousBlank = l.length <= 2 && (l.length == 0 || l[0] == '\n' || l[0] == '\r');
        }
      } while (c >= 0);
      if (current != null) {
        consumer.accept(new Item(file + "#" + index, trimSeparator(current.toByteArray())));
      }
    }
  }

  private static boolean isEscapedFrom(byte[] l) {
    int i = 0;
    while (i < l.length && l[i] == '>') {
      i++;
    }
    return i > 0
        && new String(l, i, Math.min(5, l.length - i), StandardCharsets.ISO_8859_1).equals("From ");
  }

  /**
   * Drops the blank line that separates mbox messages (it belongs to the format, not the message).
   */
  private static byte[] trimSeparator(byte[] b) {
    int end = b.length;
    if (end >= 2 && b[end - 1] == '\n' && b[end - 2] == '\n') {
      end--;
    } else if (end >= 4 && b[end - 1] == '\n' && b[end - 2] == '\r' && b[end - 3] == '\n') {
      end -= 2;
    }
    return java.util.Arrays.copyOf(b, end);
  }
}
