package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Finds active content in a PDF by its name tokens ({@code /JavaScript}, {@code /JS}, {@code
 * /Launch}, {@code /OpenAction}, {@code /AA}, {@code /EmbeddedFile}, {@code /Encrypt}), with {@code
 * #xx} escapes decoded and Flate-compressed streams (object streams) inflated within a budget.
 * Thread-safe.
 */
final class PdfInspector {

  static final Set<String> ACTIVE = Set.of("JavaScript", "JS", "Launch");
  private static final Set<String> INTERESTING =
      Set.of(
          "JavaScript", "JS", "Launch", "OpenAction", "AA", "EmbeddedFile", "Encrypt", "RichMedia");
  private static final int MAX_RAW = 64 << 20;
  private static final long MAX_INFLATED = 64L << 20;
  private static final int MAX_STREAMS = 10_000;

  private PdfInspector() {}

  /** What a PDF holds: the interesting names (without the slash) and its embedded files. */
  record PdfFacts(Set<String> names, List<Member> embedded) {}

  /** The interesting names found (without the slash). */
  static Set<String> scan(InputStream in) throws IOException {
    return inspect(in).names();
  }

  /**
   * Names and embedded files ({@code /Type /EmbeddedFile} streams, ISO 32000-1 §7.11.4), each named
   * by the file specification whose {@code /EF} refers to its object, else {@code embedded-N}.
   */
  static PdfFacts inspect(InputStream in) throws IOException {
    byte[] raw = in.readNBytes(MAX_RAW);
    Set<String> found = new TreeSet<>();
    List<Member> embedded = new ArrayList<>();
    java.util.Map<Integer, String> fileNames = null;
    names(raw, 0, raw.length, found);
    long inflatedTotal = 0;
    int streams = 0;
    int i = 0;
    while ((i = indexOf(raw, STREAM, i)) >= 0 && streams++ < MAX_STREAMS) {
      int start = i + STREAM.length;
      if (start < raw.length && raw[start] == '\r') {
        start++;
      }
      if (start < raw.length && raw[start] == '\n') {
        start++;
      }
      int end = indexOf(raw, ENDSTREAM, start);
      if (end < 0) {
        break;
      }
      byte[] inflated = new byte[0];
      if (inflatedTotal < MAX_INFLATED) {
        inflated = inflate(raw, start, end - start, MAX_INFLATED - inflatedTotal);
        inflatedTotal += inflated.length;
        names(inflated, 0, inflated.length, found);
      }
      String dict = dictionaryBefore(raw, i);
      if (EMBEDDED_FILE.matcher(dict).find() && embedded.size() < MAX_EMBEDDED) {
        if (fileNames == null) {
          fileNames = fileSpecs(raw);
        }
        int object = objectNumber(dict);
        String name = fileNames.getOrDefault(object, "embedded-" + (embedded.size() + 1));
        byte[] data =
            dict.contains("/FlateDecode") || dict.contains("/Fl ")
                ? inflated
                : java.util.Arrays.copyOfRange(raw, start, end);
        embedded.add(new Member(name, data));
      }
      i = end + ENDSTREAM.length;
    }
    return new PdfFacts(found, List.copyOf(embedded));
  }

  private static final int MAX_EMBEDDED = 100;

  /** "/EF" occurrences examined for file names: each costs a 2 KiB window and a few regexes. */
  private static final int MAX_FILE_SPECS = 1_000;

  /** The stream type, not the {@code /EmbeddedFiles} name tree. */
  private static final java.util.regex.Pattern EMBEDDED_FILE =
      java.util.regex.Pattern.compile("/EmbeddedFile(?![A-Za-z0-9])");

  private static final int DICT_WINDOW = 2048;
  private static final java.util.regex.Pattern OBJ =
      java.util.regex.Pattern.compile("(\\d{1,10})\\s+\\d{1,5}\\s+obj");
  private static final java.util.regex.Pattern EF_REF =
      java.util.regex.Pattern.compile(
          "/EF\\s*<<[^>]{0,200}?/(?:UF|F)\\s+(\\d{1,10})\\s+\\d{1,5}\\s+R");
  private static final java.util.regex.Pattern FILE_NAME =
      java.util.regex.Pattern.compile("/(UF|F)\\s*\\(([^)]{1,255})\\)");

  /** The text from the last {@code obj} keyword before {@code stream} (the stream's dictionary). */
  private static String dictionaryBefore(byte[] raw, int streamKeyword) {
    int from = Math.max(0, streamKeyword - DICT_WINDOW);
    String window = new String(raw, from, streamKeyword - from, StandardCharsets.ISO_8859_1);
    int obj = window.lastIndexOf(" obj");
    int objLine = window.lastIndexOf("obj");
    int at = Math.max(obj, objLine);
    // Keep the object number in front of "obj" for objectNumber().
    int numberStart = Math.max(0, at - 24);
    return at < 0 ? window : window.substring(numberStart);
  }

  private static int objectNumber(String dict) {
    java.util.regex.Matcher m = OBJ.matcher(dict);
    int n = -1;
    while (m.find()) {
      n = Integer.parseInt(m.group(1));
    }
    return n;
  }

  /**
   * Object number of each embedded-file stream, mapped to the name its file specification gives.
   */
  private static java.util.Map<Integer, String> fileSpecs(byte[] raw) {
    java.util.Map<Integer, String> names = new java.util.HashMap<>();
    int at = 0;
    int seen = 0;
    while ((at = indexOf(raw, EF, at)) >= 0
        && names.size() < MAX_EMBEDDED
        && seen++ < MAX_FILE_SPECS) {
      int from = Math.max(0, at - DICT_WINDOW / 2);
      int to = Math.min(raw.length, at + DICT_WINDOW / 2);
      String window = new String(raw, from, to - from, StandardCharsets.ISO_8859_1);
      int ef = at - from;
      // Only the file specification's own object: from its "obj" to its "endobj".
      int objStart = Math.max(0, window.lastIndexOf("obj", ef));
      int objEnd = window.indexOf("endobj", ef);
      window = window.substring(objStart, objEnd < 0 ? window.length() : objEnd);
      ef -= objStart;
      java.util.regex.Matcher ref = EF_REF.matcher(window);
      if (ref.find(ef)) {
        String unicode = null;
        String plain = null;
        java.util.regex.Matcher fn = FILE_NAME.matcher(window);
        while (fn.find()) {
          if (fn.group(1).equals("UF") && unicode == null) {
            unicode = pdfString(fn.group(2));
          } else if (fn.group(1).equals("F") && plain == null) {
            plain = pdfString(fn.group(2));
          }
        }
        String name = unicode != null ? unicode : plain;
        if (name != null) {
          names.putIfAbsent(Integer.parseInt(ref.group(1)), name);
        }
      }
      at += EF.length;
    }
    return names;
  }

  private static final byte[] EF = "/EF".getBytes(StandardCharsets.US_ASCII);

  /** A literal string's text: UTF-16BE when it starts with a byte-order mark, else Latin-1. */
  private static String pdfString(String latin1) {
    if (latin1.length() >= 2 && latin1.charAt(0) == 0xFE && latin1.charAt(1) == 0xFF) {
      return new String(
          latin1.substring(2).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_16BE);
    }
    return latin1;
  }

  private static final byte[] STREAM =
      "stream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] ENDSTREAM =
      "endstream".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private static byte[] inflate(byte[] data, int off, int len, long budget) {
    Inflater inflater = new Inflater();
    try {
      inflater.setInput(data, off, len);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[16384];
      while (!inflater.finished() && out.size() < budget) {
        int n = inflater.inflate(buf);
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
        out.write(buf, 0, n);
      }
      return out.toByteArray();
    } catch (DataFormatException e) {
      return new byte[0]; // not a Flate stream (images, other filters): nothing to scan
    } finally {
      inflater.end();
    }
  }

  private static void names(byte[] b, int from, int to, Set<String> found) {
    for (int i = from; i < to; i++) {
      if (b[i] != '/') {
        continue;
      }
      StringBuilder name = new StringBuilder();
      int j = i + 1;
      while (j < to && name.length() < 32) {
        int c = b[j] & 0xFF;
        if (c == '#' && j + 2 < to && hex(b[j + 1]) >= 0 && hex(b[j + 2]) >= 0) {
          name.append((char) (hex(b[j + 1]) * 16 + hex(b[j + 2])));
          j += 3;
        } else if (Character.isLetterOrDigit(c) && c < 128) {
          name.append((char) c);
          j++;
        } else {
          break;
        }
      }
      if (INTERESTING.contains(name.toString())) {
        found.add(name.toString());
      }
      i = j - 1;
    }
  }

  private static int hex(byte b) {
    return Character.digit(b, 16);
  }

  private static int indexOf(byte[] hay, byte[] needle, int from) {
    outer:
    for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (hay[i + k] != needle[k]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
