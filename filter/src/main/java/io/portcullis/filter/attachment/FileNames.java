package io.portcullis.filter.attachment;

import java.util.Locale;
import java.util.Set;

/**
 * File-name checks: extensions, double extensions, deceptive characters and unsafe archive paths.
 */
final class FileNames {

  static final Set<String> EXECUTABLE_EXT =
      Set.of(
          "exe",
          "dll",
          "scr",
          "com",
          "pif",
          "cpl",
          "msi",
          "msp",
          "mst",
          "jar",
          "apk",
          "app",
          "ocx",
          "sys",
          "drv",
          "xll",
          "elf",
          "run",
          "appimage",
          "deb",
          "rpm",
          "pkg");
  static final Set<String> SCRIPT_EXT =
      Set.of(
          "js",
          "jse",
          "vbs",
          "vbe",
          "wsf",
          "wsh",
          "wsc",
          "hta",
          "ps1",
          "psm1",
          "psd1",
          "bat",
          "cmd",
          "lnk",
          "sct",
          "reg",
          "vb",
          "inf",
          "msc",
          "scf",
          "url",
          "iqy",
          "slk",
          "jnlp",
          "settingcontent-ms",
          "appref-ms",
          "application",
          "gadget",
          "chm",
          "library-ms",
          "searchconnector-ms",
          "mam",
          "ws");
  static final Set<String> DISK_IMAGE_EXT = Set.of("iso", "img", "vhd", "vhdx", "udf", "dmg");
  static final Set<String> MACRO_EXT =
      Set.of("docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm", "ppam", "sldm");
  static final Set<String> DOCUMENT_EXT =
      Set.of(
          "pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "jpg", "jpeg", "png",
          "gif", "bmp", "tif", "tiff", "mp3", "mp4", "wav", "avi", "mov", "zip", "csv", "odt",
          "ods", "htm", "html", "eml", "xml", "heic", "svg");

  private FileNames() {}

  /** The last extension in lower case without the dot, or empty. */
  static String extension(String name) {
    String base = baseName(name);
    int dot = base.lastIndexOf('.');
    if (dot < 0 || dot == base.length() - 1) {
      return "";
    }
    return base.substring(dot + 1).strip().toLowerCase(Locale.ROOT);
  }

  static String baseName(String name) {
    int slash = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
    return name.substring(slash + 1);
  }

  /** Reason when the name hides a dangerous extension behind a document one, else null. */
  static String doubleExtension(String name) {
    String base = baseName(name).toLowerCase(Locale.ROOT).strip();
    String[] pieces = base.split("\\.");
    if (pieces.length < 3) {
      return null;
    }
    String last = pieces[pieces.length - 1];
    String previous = pieces[pieces.length - 2].strip();
    boolean dangerous =
        EXECUTABLE_EXT.contains(last) || SCRIPT_EXT.contains(last) || DISK_IMAGE_EXT.contains(last);
    if (dangerous && DOCUMENT_EXT.contains(previous)) {
      return "'." + previous + "' shown before the real extension '." + last + "'";
    }
    String before = pieces[pieces.length - 2];
    String tail = before.substring(Math.max(0, before.length() - 16)); // bounded: names can be huge
    if (dangerous && (tail.endsWith("   ") || tail.endsWith("_____"))) {
      return "padding before the real extension '." + last + "'";
    }
    return null;
  }

  /** Reason when the name contains characters that change how it is displayed, else null. */
  static String deceptive(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c >= '\u202A' && c <= '\u202E' || c >= '\u2066' && c <= '\u2069') {
        return String.format(Locale.ROOT, "bidirectional control U+%04X in the name", (int) c);
      }
      if (c == '\u200B'
          || c == '\u200C'
          || c == '\u200D'
          || c == '\u200E'
          || c == '\u200F'
          || c == '\uFEFF'
          || c == '\u061C') {
        return String.format(Locale.ROOT, "invisible character U+%04X in the name", (int) c);
      }
      if (c < 0x20 || c == 0x7F) {
        return String.format(Locale.ROOT, "control character U+%04X in the name", (int) c);
      }
    }
    if (name.contains("          ")) {
      return "a run of spaces that pushes the extension out of view";
    }
    return null;
  }

  /** Reason when an archive member path escapes the extraction directory (zip-slip), else null. */
  static String unsafePath(String path) {
    String p = path.replace('\\', '/');
    if (p.startsWith("/") || p.matches("^[A-Za-z]:.*")) {
      return "absolute path";
    }
    for (String segment : p.split("/")) {
      if (segment.equals("..")) {
        return "'..' path segment";
      }
    }
    return null;
  }

  /** A printable, length-bounded rendering of a name for reasons and locations. */
  static String display(String name) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < name.length() && sb.length() < 120; i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7F || c >= '\u2000' && c <= '\u206F' || c == '\uFEFF' || c == '\'') {
        sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }
}
