package io.portcullis.filter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;

/**
 * The hand-written scans that replaced regexes must give exactly what the regexes gave: rules and
 * the classifier's tokens depend on them, so a difference would change verdicts.
 */
class HtmlTest {

  /** Characters that exercise every branch: tags, all regex whitespace, a surrogate pair, "&". */
  private static final String[] PIECES = {
    "<",
    ">",
    "<p>",
    "</a>",
    " ",
    "  ",
    "\t",
    "\r\n",
    "\u000B",
    "\f",
    "\u00A0",
    "a",
    "B",
    "é",
    "\uD83D\uDE00",
    "&amp;",
    "http",
    "HTTP://",
    "www.",
    "WwW.",
    "hTtPs://x.example/",
    "\u017F",
    "-"
  };

  private static String random(Random random, int pieces) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < pieces; i++) {
      sb.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return sb.toString();
  }

  @Test
  void removeTagsShouldEqualTheTagRegexOnRandomMarkup() {
    Random random = new Random(42);
    for (int i = 0; i < 20_000; i++) {
      String s = random(random, random.nextInt(40));
      assertThat(Html.removeTags(s)).as(s).isEqualTo(Html.TAG.matcher(s).replaceAll(" "));
    }
  }

  @Test
  void removeTagsShouldKeepTagsLongerThanTheRegexBoundCountedInCodePoints() {
    for (int len = 3995; len <= 4005; len++) {
      for (String fill : new String[] {"x", "\uD83D\uDE00"}) {
        String s = "a<" + fill.repeat(len) + ">b<i>c";
        assertThat(Html.removeTags(s)).isEqualTo(Html.TAG.matcher(s).replaceAll(" "));
      }
    }
  }

  @Test
  void collapseWhitespaceShouldEqualTheRegexReplacement() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      String s = random(random, random.nextInt(30));
      assertThat(Html.collapseWhitespace(s)).as(s).isEqualTo(s.replaceAll("\\s+", " "));
    }
  }

  @Test
  void firstUrlCandidateShouldNeverSkipAUrlTheRegexFinds() {
    Random random = new Random(3);
    for (int i = 0; i < 20_000; i++) {
      String s = random(random, random.nextInt(30));
      Matcher m = Urls.URL.matcher(s);
      int candidate = Urls.firstUrlCandidate(s);
      if (m.find()) {
        assertThat(candidate).as(s).isBetween(0, m.start());
        assertThat(Urls.URL.matcher(s).find(candidate)).isTrue();
        Matcher fromCandidate = Urls.URL.matcher(s);
        fromCandidate.find(candidate);
        assertThat(fromCandidate.start()).as(s).isEqualTo(m.start());
      }
    }
  }

  @Test
  void parseShouldCountImagesAndHiddenTextWithOrWithoutScriptBlocks() {
    String body =
        "<p>Hi <IMG src=a><img\tsrc=b><imgx> <a href=\"https://x.example/\">x.example</a>"
            + "<span style=\"display: none\">hidden words here</span></p>";
    Html plain = Html.parse(body);
    Html withScript = Html.parse("<script>var a = '<img src=c>';</script>" + body);

    assertThat(plain.images).isEqualTo(2);
    assertThat(plain.hiddenTextChars).isEqualTo("hidden words here".length());
    assertThat(plain.links).containsExactly(new Html.Link("https://x.example/", "x.example"));
    assertThat(withScript.images).isEqualTo(plain.images);
    assertThat(withScript.hiddenTextChars).isEqualTo(plain.hiddenTextChars);
    assertThat(withScript.links).isEqualTo(plain.links);
    assertThat(withScript.visibleText).isEqualTo(plain.visibleText);
  }
}
