package io.portcullis.gateway.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import io.portcullis.gateway.pop3.Pop3Command.Invalid;
import io.portcullis.gateway.pop3.Pop3Command.Problem;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Pop3CommandParserTest {

  @Test
  void keywordsShouldBeCaseInsensitive() {
    assertThat(Pop3CommandParser.parse("stat")).isEqualTo(new Pop3Command.Stat());
    assertThat(Pop3CommandParser.parse("ReTr 7")).isEqualTo(new Pop3Command.Retr(7));
  }

  @Test
  void listAndUidlShouldBeMultiLineOnlyWithoutArgument() {
    assertThat(Pop3CommandParser.parse("LIST").multiLineAnswer()).isTrue();
    assertThat(Pop3CommandParser.parse("LIST 3").multiLineAnswer()).isFalse();
    assertThat(Pop3CommandParser.parse("UIDL").multiLineAnswer()).isTrue();
    assertThat(Pop3CommandParser.parse("UIDL 3")).isEqualTo(new Pop3Command.Uidl(Optional.of(3)));
  }

  @Test
  void topShouldAcceptZeroLinesButNotMessageZero() {
    assertThat(Pop3CommandParser.parse("TOP 1 0")).isEqualTo(new Pop3Command.Top(1, 0));
    assertThat(Pop3CommandParser.parse("TOP 0 1")).isInstanceOf(Invalid.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "RETR",
        "RETR -1",
        "RETR 1 2",
        "RETR 0x10",
        "RETR 1234567890",
        "RETR +5",
        "DELE one",
        "LIST 1 2",
        "STAT now",
        "USER",
        "USER two words",
        "PASS",
        "AUTH",
        "AUTH PLAIN a b"
      })
  void malformedArgumentsShouldBeSyntaxErrors(String line) {
    assertThat(Pop3CommandParser.parse(line))
        .isInstanceOfSatisfying(
            Invalid.class, i -> assertThat(i.problem()).isEqualTo(Problem.SYNTAX));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "APOP alice 1234", "XTND XMIT", "RETRIEVE 1", "HELP"})
  void unknownKeywordsShouldBeUnknownCommands(String line) {
    assertThat(Pop3CommandParser.parse(line))
        .isInstanceOfSatisfying(
            Invalid.class, i -> assertThat(i.problem()).isEqualTo(Problem.UNKNOWN_COMMAND));
  }

  @Test
  void passShouldKeepSpacesAndNeverPrintTheSecret() {
    Pop3Command pass = Pop3CommandParser.parse("PASS correct horse battery");
    assertThat(pass).isEqualTo(new Pop3Command.Pass("correct horse battery"));
    assertThat(pass.toString()).doesNotContain("horse");
    assertThat(Pop3CommandParser.parse("AUTH PLAIN c2VjcmV0").toString())
        .doesNotContain("c2VjcmV0");
  }

  @Test
  void nulAndStrayCarriageReturnShouldBeRefused() {
    assertThat(Pop3CommandParser.parse("USER a\0b")).isInstanceOf(Invalid.class);
    assertThat(Pop3CommandParser.parse("PASS a\rb")).isInstanceOf(Invalid.class);
  }

  @Test
  void relayedCommandsShouldHaveCanonicalWireForm() {
    assertThat(Pop3CommandParser.parse("top 01 002").wireForm()).isEqualTo("TOP 1 2\r\n");
    assertThat(Pop3CommandParser.parse("list").wireForm()).isEqualTo("LIST\r\n");
  }
}
