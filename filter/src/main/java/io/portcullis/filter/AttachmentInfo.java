package io.portcullis.filter;

import java.util.Objects;
import java.util.Set;

/**
 * An attachment (or an archive member) as the analyzer saw it.
 *
 * @param partPath IMAP-style part number ({@code "2"}, {@code "1.2"}); members of archives share
 *     the part number of the archive
 * @param fileName decoded file name (RFC 2047/2231), or the archive member path; empty if none
 * @param declaredType the Content-Type the sender declared (lower case, no parameters)
 * @param trueType the type detected from the content
 * @param categories attachment categories, e.g. {@code executable}, {@code macro-document}
 */
public record AttachmentInfo(
    String partPath,
    String fileName,
    String declaredType,
    String trueType,
    Set<String> categories) {

  public AttachmentInfo {
    Objects.requireNonNull(partPath, "partPath");
    Objects.requireNonNull(fileName, "fileName");
    Objects.requireNonNull(declaredType, "declaredType");
    Objects.requireNonNull(trueType, "trueType");
    categories = Set.copyOf(categories);
  }
}
