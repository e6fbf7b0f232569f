package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class FetchRewriteTest {
  @Test
  void withUidAddsTheUidItemToEveryFetchShape() {
    assertThat(FetchRewrite.withUid("a FETCH 1:* (FLAGS BODY.PEEK[])"))
        .isEqualTo("a FETCH 1:* (UID FLAGS BODY.PEEK[])");
    assertThat(FetchRewrite.withUid("a FETCH 1 BODY[]")).isEqualTo("a FETCH 1 (UID BODY[])");
    assertThat(FetchRewrite.withUid("a fetch 2 fast"))
        .isEqualTo("a fetch 2 (UID FLAGS INTERNALDATE RFC822.SIZE)");
    assertThat(FetchRewrite.withUid("a FETCH 1:* (FLAGS) (CHANGEDSINCE 5)"))
        .isEqualTo("a FETCH 1:* (UID FLAGS) (CHANGEDSINCE 5)");
  }

  @Test
  void withUidLeavesAFetchThatHasItAlone() {
    assertThat(FetchRewrite.withUid("a FETCH 1 (UID FLAGS)")).isEqualTo("a FETCH 1 (UID FLAGS)");
    assertThat(FetchRewrite.withUid("a UID FETCH 1 (FLAGS)"))
        .isEqualTo("a UID FETCH 1 (UID FLAGS)");
  }

  @Test
  void uidReadsTheItemWhereverItComesBeforeTheLiteral() {
    assertThat(FetchRewrite.uid("* 3 FETCH (UID 17 BODY[] {120}")).isEqualTo(17);
    assertThat(FetchRewrite.uid("* 3 FETCH (FLAGS (\\Seen) UID 9)")).isEqualTo(9);
    assertThat(FetchRewrite.uid("* 3 FETCH (BODY[] {120}")).isEqualTo(-1);
  }

  /** A subject saying "UID 7" must not pass a removed message off as message 7. */
  @Test
  void uidIsNotFooledByAnEnvelopeSubjectThatLooksLikeTheItem() {
    assertThat(
            FetchRewrite.uid(
                "* 3 FETCH (ENVELOPE (NIL \"x UID 7\" NIL NIL NIL NIL NIL NIL NIL NIL) UID 40)"))
        .isEqualTo(40);
    assertThat(FetchRewrite.uid("* 3 FETCH (BODY[HEADER.FIELDS (UID)] \" UID 7\")")).isEqualTo(-1);
  }
}
