package io.portcullis.gateway.imap.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImapCommandParserTest {

  @Test
  void loginShouldAcceptAtomsQuotedStringsWithEscapesAndLiterals() {
    assertThat(ImapCommandParser.parse("a1 LOGIN demo \"p\\\"a\\\\ss\""))
        .isEqualTo(new ImapCommand.Login("a1", "demo", "p\"a\\ss"));
    assertThat(ImapCommandParser.parse("a2 login {5+}\r\nus er {3}\r\n{x}"))
        .isEqualTo(new ImapCommand.Login("a2", "us er", "{x}"));
  }

  @Test
  void loginToStringShouldRedactThePassword() {
    assertThat(ImapCommandParser.parse("a LOGIN demo s3cret").toString())
        .doesNotContain("s3cret")
        .doesNotContain("demo");
  }

  @Test
  void nulInQuotedStringOrLiteralShouldBeRefused() {
    assertThat(ImapCommandParser.parse("a LOGIN \"de\0mo\" x"))
        .isEqualTo(new ImapCommand.Invalid(Optional.of("a"), ImapCommand.Problem.FORBIDDEN_OCTET));
    assertThat(ImapCommandParser.parse("a LOGIN {2}\r\n\0x y"))
        .isEqualTo(new ImapCommand.Invalid(Optional.of("a"), ImapCommand.Problem.FORBIDDEN_OCTET));
  }

  @Test
  void badEscapeAndUnterminatedQuoteShouldBeSyntaxErrors() {
    assertThat(ImapCommandParser.parse("a LOGIN \"x\\n\" y"))
        .isInstanceOf(ImapCommand.Invalid.class);
    assertThat(ImapCommandParser.parse("a LOGIN \"xy")).isInstanceOf(ImapCommand.Invalid.class);
    assertThat(ImapCommandParser.parse("a LOGIN x")).isInstanceOf(ImapCommand.Invalid.class);
    assertThat(ImapCommandParser.parse("a LOGIN x y z")).isInstanceOf(ImapCommand.Invalid.class);
  }

  @Test
  void tagsWithPlusStarOrNothingShouldBeRefusedUntagged() {
    for (String line : new String[] {"+ NOOP", "* NOOP", " NOOP", "NOOP", "a{ NOOP", ""}) {
      assertThat(ImapCommandParser.parse(line))
          .as(line)
          .isEqualTo(new ImapCommand.Invalid(Optional.empty(), ImapCommand.Problem.BAD_TAG));
    }
  }

  @Test
  void authenticateShouldCarryTheInitialResponseAndRedactIt() {
    ImapCommand c = ImapCommandParser.parse("x AUTHENTICATE PLAIN AGRlbW8AZGVtbw==");
    assertThat(c)
        .isEqualTo(new ImapCommand.Authenticate("x", "PLAIN", Optional.of("AGRlbW8AZGVtbw==")));
    assertThat(c.toString()).doesNotContain("AGRlbW8AZGVtbw==");
    assertThat(ImapCommandParser.parse("x AUTHENTICATE LOGIN"))
        .isEqualTo(new ImapCommand.Authenticate("x", "LOGIN", Optional.empty()));
    assertThat(ImapCommandParser.parse("x AUTHENTICATE PLAIN a b"))
        .isInstanceOf(ImapCommand.Invalid.class);
  }

  @Test
  void idShouldAcceptNilAndFieldListsUpToTheRfcLimit() {
    assertThat(ImapCommandParser.parse("i ID NIL")).isEqualTo(new ImapCommand.Id("i", 0));
    assertThat(ImapCommandParser.parse("i ID (\"name\" \"mutt\" \"version\" NIL)"))
        .isEqualTo(new ImapCommand.Id("i", 2));
    StringBuilder many = new StringBuilder("i ID (");
    for (int k = 0; k < 31; k++) {
      many.append(k == 0 ? "" : " ").append("\"f").append(k).append("\" \"v\"");
    }
    assertThat(ImapCommandParser.parse(many + ")")).isInstanceOf(ImapCommand.Invalid.class);
  }

  @Test
  void simpleCommandsShouldRefuseArguments() {
    assertThat(ImapCommandParser.parse("a capability")).isEqualTo(new ImapCommand.Capability("a"));
    assertThat(ImapCommandParser.parse("a STARTTLS")).isEqualTo(new ImapCommand.StartTls("a"));
    assertThat(ImapCommandParser.parse("a NOOP x")).isInstanceOf(ImapCommand.Invalid.class);
    assertThat(ImapCommandParser.parse("a03 FOOBAR {10+}\r\ntest test "))
        .isEqualTo(new ImapCommand.Other("a03", "FOOBAR"));
  }

  @Test
  void headShouldReadTagAndCommandName() {
    assertThat(ImapCommandParser.head("A7 uid fetch 1:* (FLAGS)"))
        .contains(new ImapCommandParser.Head("A7", "UID"));
    assertThat(ImapCommandParser.head("DONE")).isEmpty();
  }
}
