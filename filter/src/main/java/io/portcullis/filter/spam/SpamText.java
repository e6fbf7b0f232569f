package io.portcullis.filter.spam;

import io.portcullis.filter.mime.HeaderField;
import io.portcullis.filter.mime.MimeWalker;
import java.util.List;

/**
 * The parts of a message the spam rules and the tokenizer read, with every HTML body parsed once.
 * Immutable.
 */
public final class SpamText {

  final List<HeaderField> headers;
  final List<String> plainTexts;
  final List<Html> html;
  final List<MimeWalker.PartMeta> parts;

  private SpamText(MimeWalker.Content content) {
    this.headers = content.headers();
    this.plainTexts = content.plainTexts();
    // A list footer appended to an HTML body is the list's, not the sender's: neither rules nor
    // the classifier should read it.
    this.html =
        content.htmlTexts().stream().map(h -> Html.parse(Tokenizer.stripListFooter(h))).toList();
    this.parts = content.parts();
  }

  /** Parses the HTML bodies of a walked message. */
  public static SpamText of(MimeWalker.Content content) {
    return new SpamText(content);
  }
}
