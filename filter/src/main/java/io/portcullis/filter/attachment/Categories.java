package io.portcullis.filter.attachment;

import java.util.Set;

/** The attachment categories that rules and policies refer to (ids as in docs/filtering.md). */
public final class Categories {
  public static final String EXECUTABLE = "executable";
  public static final String SCRIPT = "script";
  public static final String DISK_IMAGE = "disk-image";
  public static final String MACRO_DOCUMENT = "macro-document";
  public static final String ARCHIVE = "archive";
  public static final String ENCRYPTED = "encrypted";
  public static final String PDF_ACTIVE = "pdf-active";
  public static final String HTML_SMUGGLING = "html-smuggling";
  public static final String MISMATCH = "mismatch";
  public static final String DOUBLE_EXTENSION = "double-extension";
  public static final String DECEPTIVE_NAME = "deceptive-name";
  public static final String TEST_SIGNATURE = "test-signature";
  public static final String ACTIVE_OBJECT = "active-object";

  /** Every category id. */
  public static final Set<String> ALL =
      Set.of(
          EXECUTABLE,
          SCRIPT,
          DISK_IMAGE,
          MACRO_DOCUMENT,
          ARCHIVE,
          ENCRYPTED,
          PDF_ACTIVE,
          HTML_SMUGGLING,
          MISMATCH,
          DOUBLE_EXTENSION,
          DECEPTIVE_NAME,
          TEST_SIGNATURE,
          ACTIVE_OBJECT);

  private Categories() {}
}
