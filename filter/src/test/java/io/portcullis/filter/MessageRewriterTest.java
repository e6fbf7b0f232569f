package io.portcullis.filter;

import static io.portcullis.filter.TestMessages.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.mime.MimeWalker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageRewriterTest {

  @TempDir Path scratch;

  private final MessageRewriter rewriter = new MessageRewriter();

  private Verdict analyze(byte[] message) {
    return MessageAnalyzer.create(
            FilterSettings.defaults().withScratchDir(scratch), Optional.empty())
        .analyze(new ByteArrayInputStream(message));
  }

  private byte[] rewrite(byte[] original, Verdict v, List<Action> actions) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    rewriter.rewrite(new ByteArrayInputStream(original), v, actions, v.sha256(), out);
    return out.toByteArray();
  }

  private static String text(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }

  private static MimeWalker.Content reparse(byte[] message) {
    return new MimeWalker(MimeLimits.defaults())
        .walk(new ByteArrayInputStream(message), (p, in) -> in.readAllBytes());
  }

  @Test
  void noActionShouldPassTheMessageByteForByte() throws IOException {
    byte[] original = SampleMessages.executableInZip();

    assertThat(rewrite(original, analyze(original), List.of())).isEqualTo(original);
  }

  @Test
  void stripShouldReplaceOnlyTheDangerousPartAndKeepEverythingElseByteIdentical()
      throws IOException {
    byte[] original = SampleMessages.executableInZip();
    Verdict v = analyze(original);

    byte[] out = rewrite(original, v, List.of(new Action.Strip(Set.of())));

    String o = text(original);
    String r = text(out);
    int part2 = o.indexOf("--b1\r\nContent-Type: application/zip");
    String body = o.substring(o.indexOf("\r\n\r\n") + 4, part2);
    assertThat(r).contains(body); // the text part and the first boundary, unchanged
    assertThat(r).contains("Portcullis removed the attachment \"invoice.zip\"");
    assertThat(r).contains(v.sha256());
    assertThat(r).doesNotContain("Content-Transfer-Encoding: base64");
    assertThat(r).endsWith("--b1--\r\n");
    MimeWalker.Content again = reparse(out);
    assertThat(again.findings()).isEmpty();
    assertThat(again.parts())
        .extracting(MimeWalker.PartMeta::mimeType)
        .containsExactly("text/plain", "text/plain");
  }

  @Test
  void stripByPartNumberShouldRemoveExactlyThatPartWhateverItsLabels() throws IOException {
    byte[] original = SampleMessages.executableInZip();

    String r =
        text(
            rewrite(
                original,
                analyze(original),
                List.of(new Action.Strip(Set.of(Label.MACRO), Set.of("2")))));

    assertThat(r).contains("Portcullis removed the attachment \"invoice.zip\"");
    assertThat(reparse(bytes(r)).parts())
        .extracting(MimeWalker.PartMeta::mimeType)
        .containsExactly("text/plain", "text/plain");
  }

  @Test
  void strippedMessageShouldNoLongerCarryADangerousAttachment() throws IOException {
    byte[] original = SampleMessages.executableInZip();

    Verdict after =
        analyze(rewrite(original, analyze(original), List.of(new Action.Strip(Set.of()))));

    assertThat(after.labels()).doesNotContain(Label.DANGEROUS_ATTACHMENT);
  }

  @Test
  void stripShouldKeepCrlfLineEndingsEverywhere() throws IOException {
    byte[] original = SampleMessages.macroDocument();

    String r =
        text(rewrite(original, analyze(original), List.of(new Action.Strip(Set.of(Label.MACRO)))));

    assertThat(r.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
  }

  @Test
  void stripShouldKeepBareLfLineEndingsOfAnLfMessage() throws IOException {
    byte[] original = bytes(text(SampleMessages.executableInZip()).replace("\r\n", "\n"));

    String r =
        text(
            rewrite(
                original,
                analyze(original),
                List.of(new Action.Strip(Set.of()), new Action.Tag(""))));

    assertThat(r).doesNotContain("\r");
    assertThat(r).contains("Portcullis removed the attachment");
  }

  @Test
  void tagShouldAddVerdictHeadersPrefixTheSubjectAndDropForgedVerdictHeaders() throws IOException {
    byte[] original =
        bytes(
            "X-Portcullis-Verdict: clean; score=0.00\r\nX-Spam-Status: No\r\n"
                + text(SampleMessages.all().get("spam.eml")));
    Verdict v = analyze(original);

    String r = text(rewrite(original, v, List.of(new Action.Tag("[SPAM]"))));

    String header = r.substring(0, r.indexOf("\r\n\r\n"));
    assertThat(header).contains("Subject: [SPAM] CHEAP MEDS");
    assertThat(header).contains("X-Spam-Status: Yes, score=");
    assertThat(header).contains("X-Portcullis-Verdict: spam; score=");
    assertThat(header)
        .doesNotContain("X-Portcullis-Verdict: clean")
        .doesNotContain("X-Spam-Status: No");
    assertThat(r.substring(r.indexOf("\r\n\r\n")))
        .isEqualTo(text(original).substring(text(original).indexOf("\r\n\r\n")));
    assertThat(reparse(bytes(r)).findings()).isEmpty();
  }

  @Test
  void replaceShouldKeepIdentifyingHeadersAndNameTheQuarantineId() throws IOException {
    byte[] original = SampleMessages.all().get("phishing.eml");
    Verdict v = analyze(original);

    String r = text(rewrite(original, v, List.of(new Action.Replace())));

    assertThat(r).startsWith("From: \"service@paypal.com\"");
    assertThat(r).contains("Subject: Your account has been suspended");
    assertThat(r).contains("quarantine under the id " + v.sha256().substring(0, 20));
    assertThat(r).doesNotContain("203.0.113.66/paypal/login.php");
    MimeWalker.Content again = reparse(bytes(r));
    assertThat(again.findings()).isEmpty();
    assertThat(again.plainTexts().get(0)).contains("Portcullis replaced this message");
  }

  @Test
  void aPartToStripThatIsNotFoundShouldFailRatherThanPassTheAttachment() {
    byte[] original = SampleMessages.executableInZip();
    Verdict v = analyze(original);
    Verdict wrongPart =
        new Verdict(
            v.score(),
            v.labels(),
            List.of(
                new Finding(
                    "attachment-executable", Label.DANGEROUS_ATTACHMENT, 0, "x", "part 7", "7")),
            v.attachments(),
            v.sha256());

    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> rewrite(original, wrongPart, List.of(new Action.Strip(Set.of()))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("[7]");
  }

  @Test
  void stripInsideAForwardedMessageShouldReplaceThatInnerPart() throws IOException {
    byte[] inner = SampleMessages.executableInZip();
    String outer =
        "From: a@example.org\r\nTo: b@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=outer\r\n\r\n"
            + "--outer\r\nContent-Type: text/plain\r\n\r\nforwarding\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n"
            + text(inner)
            + "\r\n--outer--\r\n";
    byte[] original = bytes(outer);
    Verdict v = analyze(original);
    assertThat(v.attachments()).anySatisfy(a -> assertThat(a.partPath()).isEqualTo("2.2"));

    byte[] out = rewrite(original, v, List.of(new Action.Strip(Set.of())));

    assertThat(text(out))
        .contains("Portcullis removed the attachment \"invoice.zip\"")
        .contains("forwarding");
    assertThat(analyze(out).labels()).doesNotContain(Label.DANGEROUS_ATTACHMENT);
  }
}
