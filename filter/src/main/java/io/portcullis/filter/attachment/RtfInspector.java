package io.portcullis.filter.attachment;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the OLE objects in an RTF document ({@code \object} groups, RTF 1.9.1 "Objects"): their
 * class ({@code \objclass}), whether they update themselves on opening ({@code \objupdate}), and
 * their {@code \objdata} decoded from hex and unwrapped from the OLE1 ObjectHeader ([MS-OLEDS]
 * 2.2.4) so that the native data (an OLE2 file, or a Package's file) can be inspected as a member.
 * Tolerates the junk that exploit kits put inside {@code \objdata}. Stateless, thread-safe.
 */
final class RtfInspector {

  /** One {@code \object} group. */
  record RtfObject(String className, boolean autoUpdate, Member member) {}

  /**
   * Object classes that are exploited rather than used: the Equation Editor (CVE-2017-11882,
   * CVE-2018-0802) and the URL moniker link (CVE-2017-0199).
   */
  static final Set<String> EXPLOITED_CLASSES =
      Set.of("equation.3", "equation.2", "equation", "ole2link");

  private static final int MAX_OBJECTS = 50;
  private static final int MAX_OBJECT_BYTES = 32 << 20;

  private RtfInspector() {}

  static List<RtfObject> objects(byte[] rtf) {
    List<RtfObject> out = new ArrayList<>();
    int from = 0;
    int start;
    while ((start = indexOf(rtf, "\\object", from)) >= 0 && out.size() < MAX_OBJECTS) {
      if (isLetter(rtf, start + 7)) {
        from = start + 7; // a longer control word, not \object
        continue;
      }
      // The group ends where the next \object starts or at the end: exploit kits leave groups
      // unbalanced on purpose, so braces are not trusted to delimit it. Each look-ahead starts
      // after the previous one, so many look-alike words cost one pass, not one per word.
      int next = indexOf(rtf, "\\object", start + 7);
      while (next >= 0 && isLetter(rtf, next + 7)) {
        next = indexOf(rtf, "\\object", next + 7);
      }
      int end = next < 0 ? rtf.length : next;
      String className = textAfter(rtf, "\\objclass", start, end);
      boolean autoUpdate = indexOf(rtf, "\\objupdate", start, end) >= 0;
      int data = indexOf(rtf, "\\objdata", start, end);
      Member member = null;
      if (data >= 0) {
        byte[] bytes = hex(rtf, data + 8, end);
        member = unwrap(bytes, out.size() + 1);
        if (className.isEmpty() && member != null && member.name().startsWith("class:")) {
          className =
              member.name().substring(6, member.name().indexOf('/')).toLowerCase(Locale.ROOT);
        }
      }
      out.add(new RtfObject(className, autoUpdate, member));
      from = end;
    }
    return out;
  }

  /**
   * The object's content: for a Package, the packaged file under its own name; otherwise the native
   * data (usually an OLE2 compound file), named {@code class:CLASS/object-N}.
   */
  private static Member unwrap(byte[] d, int n) {
    ByteBuffer b = ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN);
    try {
      b.getInt(); // OLEVersion
      int formatId = b.getInt();
      if (formatId != 2) {
        return d.length == 0 ? null : new Member("object-" + n, d); // not an embedded object
      }
      String className = lengthPrefixed(b);
      lengthPrefixed(b); // topic
      lengthPrefixed(b); // item
      int nativePos = b.position();
      int size = b.getInt();
      if (size < 0 || size > b.remaining()) {
        size = b.remaining();
      }
      if (className.equalsIgnoreCase("Package")) {
        byte[] ole10 = new byte[4 + size];
        System.arraycopy(d, nativePos, ole10, 0, ole10.length);
        OleInspector.Embedded e = OleInspector.ole10Native(ole10);
        if (e != null) {
          return new Member(e.name(), e.data());
        }
      }
      byte[] nativeData = new byte[size];
      b.get(nativeData);
      return new Member("class:" + className + "/object-" + n, nativeData);
    } catch (RuntimeException e) {
      return d.length == 0 ? null : new Member("object-" + n, d);
    }
  }

  private static String lengthPrefixed(ByteBuffer b) {
    int len = b.getInt();
    if (len < 0 || len > 4096 || len > b.remaining()) {
      throw new IllegalArgumentException("bad length-prefixed string");
    }
    byte[] s = new byte[len];
    b.get(s);
    int end = 0;
    while (end < s.length && s[end] != 0) {
      end++;
    }
    return new String(s, 0, end, StandardCharsets.ISO_8859_1);
  }

  /**
   * Hex digits from {@code from} to {@code end}, skipping white space and any control word or group
   * exploit kits insert to break naive decoders; an odd digit left over is dropped.
   */
  static byte[] hex(byte[] rtf, int from, int end) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int high = -1;
    for (int i = from; i < end && out.size() < MAX_OBJECT_BYTES; i++) {
      int c = rtf[i] & 0xFF;
      if (c == '\\') {
        i++;
        while (i < end && isLetter(rtf, i)) {
          i++;
        }
        while (i < end && (rtf[i] == '-' || Character.isDigit(rtf[i]))) {
          i++;
        }
        i--; // the delimiter (a space is part of the control word, anything else is not)
        if (i + 1 < end && rtf[i + 1] == ' ') {
          i++;
        }
        continue;
      }
      int v = Character.digit(c, 16);
      if (v < 0) {
        continue;
      }
      if (high < 0) {
        high = v;
      } else {
        out.write(high * 16 + v);
        high = -1;
      }
    }
    return out.toByteArray();
  }

  private static String textAfter(byte[] rtf, String word, int from, int end) {
    int at = indexOf(rtf, word, from, end);
    if (at < 0) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    for (int i = at + word.length(); i < end && sb.length() < 100; i++) {
      char c = (char) (rtf[i] & 0xFF);
      if (c == '}' || c == '\\' || c == '{') {
        break;
      }
      sb.append(c);
    }
    return sb.toString().strip().toLowerCase(Locale.ROOT);
  }

  private static boolean isLetter(byte[] b, int i) {
    return i < b.length && Character.isLetter(b[i] & 0xFF) && (b[i] & 0xFF) < 128;
  }

  private static int indexOf(byte[] hay, String needle, int from) {
    return indexOf(hay, needle, from, hay.length);
  }

  private static int indexOf(byte[] hay, String needle, int from, int end) {
    outer:
    for (int i = Math.max(0, from); i <= end - needle.length(); i++) {
      for (int k = 0; k < needle.length(); k++) {
        if (hay[i + k] != needle.charAt(k)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
