package io.portcullis.filter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.mime.MimeWalker;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TokenizerTest {

  private static Set<String> tokens(String message) {
    MimeWalker walker = new MimeWalker(MimeLimits.defaults());
    return new Tokenizer()
        .tokens(
            walker.walk(
                new ByteArrayInputStream(
                    message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)),
                null));
  }

  @Test
  void aListUrlAppendedToAnHtmlBodyShouldNotBecomeTokens() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: offer
            Content-Type: text/html

            <p>Cheap watches <a href="http://shop.example.net/buy">here</a></p>
            <hr>

            http://lists.example.com/mailman/listinfo/fork
            """);
    assertThat(t).contains("cheap", "watches", "url:shop.example.net");
    assertThat(t).doesNotContain("fork", "url:lists.example.com", "url-path:listinfo");
  }

  @Test
  void aMailmanFooterInPlainTextShouldNotBecomeTokens() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: patch

            The patch fixes the parser.

            _______________________________________________
            Fork mailing list
            http://lists.example.com/mailman/listinfo/fork
            """);
    assertThat(t).contains("patch", "fixes", "parser");
    assertThat(t).doesNotContain("fork", "mailing", "url:lists.example.com");
  }

  @Test
  void mailboxStateHeadersShouldNotBecomeTokens() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: hello
            X-Keywords: junk
            X-Status: RO
            Delivery-Date: Sun, 1 Sep 2002 10:00:00 +0100

            Hello there.
            """);
    assertThat(t).noneMatch(s -> s.contains("x-keywords") || s.contains("x-status"));
    assertThat(t).noneMatch(s -> s.startsWith("delivery-date"));
  }

  @Test
  void wordsInCapitalsShouldAlsoCountAsShouted() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: hi

            Get it FREE today, free for all.
            """);
    assertThat(t).contains("free", "caps:free", "today").doesNotContain("caps:today");
  }

  @Test
  void textInAnotherScriptShouldYieldItsScriptAndEightBitShare() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: hello
            Content-Type: text/plain; charset=utf-8

            최고의 상품을 지금 바로 만나보세요 특별 할인 행사 진행중입니다
            """);
    assertThat(t).contains("script:hangul", "8bit%:50+");
  }

  @Test
  void plainEnglishShouldHaveNoScriptTokenAndNoEightBitShare() {
    Set<String> t =
        tokens(
            """
            From: a@example.org
            Subject: hello

            The patch fixes the parser and the tests pass on every platform.
            """);
    assertThat(t).contains("8bit%:0");
    assertThat(t).noneMatch(token -> token.startsWith("script:"));
  }

  @Test
  void aListLineInAnyCaseShouldEndTheTextAndTextWithoutOneShouldStayWhole() {
    String body = "Dear reader,\nthe offer stands.\n";

    assertThat(Tokenizer.stripListFooter(body + "The MAILING LIST page: https://x.example/\n"))
        .isEqualTo(body);
    assertThat(Tokenizer.stripListFooter(body + "See https://x.example/MailMan/ListInfo/x\n"))
        .isEqualTo(body);
    assertThat(Tokenizer.stripListFooter(body + "mailing lists and mailman\n"))
        .isEqualTo(body + "mailing lists and mailman\n");
  }
}
