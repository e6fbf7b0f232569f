package io.portcullis.filter.spam;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.filter.Finding;
import io.portcullis.filter.mime.MimeLimits;
import io.portcullis.filter.mime.MimeWalker;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpamRulesTest {

  private static List<String> rules(String headers) {
    String message =
        headers
            + "\nDate: Mon, 23 Nov 2026 10:00:00 +0000\nMessage-ID: <1@example.org>\nTo: b@example.org\n\nHello.\n";
    MimeWalker.Content content =
        new MimeWalker(MimeLimits.defaults())
            .walk(
                new ByteArrayInputStream(
                    message.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8)),
                null);
    return new SpamRules(Map.of(), Set.of())
        .evaluate(content, Instant.parse("2026-11-24T10:00:00Z")).stream()
            .map(Finding::rule)
            .toList();
  }

  @Test
  void subjectLabelledAsAdvertisementShouldFireAlsoAfterAListTag() {
    assertThat(rules("From: a@example.org\nSubject: ADV: cheap toner")).contains("subject-adv");
    assertThat(rules("From: a@example.org\nSubject: [WM] adv:  toner")).contains("subject-adv");
    assertThat(rules("From: a@example.org\nSubject: Advice on toner"))
        .doesNotContain("subject-adv");
  }

  @Test
  void randomXMailerShouldFireButARealOneShouldNot() {
    assertThat(rules("From: a@example.org\nSubject: hi\nX-Mailer: WA9c2D478J2W9yTmQNRm"))
        .contains("x-mailer-random");
    assertThat(rules("From: a@example.org\nSubject: hi\nX-Mailer: Microsoft Outlook 16.0"))
        .doesNotContain("x-mailer-random");
    assertThat(rules("From: a@example.org\nSubject: hi\nX-Mailer: ExchangeServer2019"))
        .doesNotContain("x-mailer-random");
  }

  @Test
  void fromAddressWithAnEmptyCommentShouldFire() {
    assertThat(rules("From: deals@example.com ()\nSubject: hi")).contains("from-empty-comment");
    assertThat(rules("From: deals@example.com (Deals Team)\nSubject: hi"))
        .doesNotContain("from-empty-comment");
  }
}
