package io.portcullis.gateway.imap;

import static io.portcullis.gateway.imap.RelayChannels.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.portcullis.gateway.imap.codec.ImapFramer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The relay between two in-memory channels: exact bytes each side sees, in order. */
class ImapRelayTest {
  private RelayChannels relay;
  private EmbeddedChannel client;
  private EmbeddedChannel upstream;

  @BeforeEach
  void wire() {
    relay = RelayChannels.start(ImapFramer.Settings.postAuth(65536, 1024), c -> null);
    client = relay.client;
    upstream = relay.upstream;
  }

  @AfterEach
  void close() {
    relay.close();
  }

  private void fromClient(String text) {
    relay.fromClient(text);
  }

  private void fromUpstream(String text) {
    relay.fromUpstream(text);
  }

  @Test
  void synchronizingLiteralShouldBeReadOnlyAfterTheUpstreamContinuation() {
    fromClient("a APPEND INBOX {5}\r\n");
    assertThat(drain(upstream)).isEqualTo("a APPEND INBOX {5}\r\n");
    fromUpstream("+ go ahead\r\n");
    assertThat(drain(client)).isEqualTo("+ go ahead\r\n");
    fromClient("b NOO\r\n");
    assertThat(drain(upstream)).isEqualTo("b NOO\r\n");
    fromUpstream("a OK APPEND completed\r\n");
    assertThat(drain(client)).isEqualTo("a OK APPEND completed\r\n");
  }

  @Test
  void literalRefusedByUpstreamShouldLeaveTheNextClientLineACommand() {
    fromClient("a APPEND Nope {5}\r\n");
    drain(upstream);
    fromUpstream("a NO [TRYCREATE] no such mailbox\r\n");
    assertThat(drain(client)).isEqualTo("a NO [TRYCREATE] no such mailbox\r\n");
    fromClient("b STARTTLS\r\n");
    assertThat(drain(client)).isEqualTo("b BAD Command not valid in this state\r\n");
    assertThat(drain(upstream)).isEmpty();
  }

  @Test
  void localReplyShouldNeverBeInsertedInsideAnUpstreamLiteral() {
    fromClient("f FETCH 1 BODY[]\r\n");
    drain(upstream);
    fromUpstream("* 1 FETCH (BODY[] {10}\r\n01234");
    fromClient("x COMPRESS DEFLATE\r\n");
    fromUpstream("56789)\r\nf OK done\r\n");
    assertThat(drain(client))
        .isEqualTo(
            "* 1 FETCH (BODY[] {10}\r\n0123456789)\r\nx NO Compression is not available\r\n"
                + "f OK done\r\n");
  }

  @Test
  void idleDoneShouldBeRelayedAsTheContinuationAnswer() {
    fromClient("c IDLE\r\n");
    fromUpstream("+ idling\r\n");
    fromUpstream("* 4 EXISTS\r\n");
    fromClient("DONE\r\n");
    fromUpstream("c OK IDLE terminated\r\n");
    assertThat(drain(upstream)).isEqualTo("c IDLE\r\nDONE\r\n");
    assertThat(drain(client)).isEqualTo("+ idling\r\n* 4 EXISTS\r\nc OK IDLE terminated\r\n");
  }

  @Test
  void literalOverThePostAuthLimitShouldBeRefusedWithToobig() {
    fromClient("a APPEND INBOX {2048}\r\n");
    assertThat(drain(client)).isEqualTo("a NO [TOOBIG] Literal too large\r\n");
    assertThat(drain(upstream)).isEmpty();
    fromClient("b NOOP\r\n");
    assertThat(drain(upstream)).isEqualTo("b NOOP\r\n");
  }

  @Test
  void nonSyncLiteralOverThePostAuthLimitShouldCloseBothSides() {
    fromClient("a APPEND INBOX {2048+}\r\n");
    assertThat(drain(client)).isEqualTo("* BYE [TOOBIG] Literal too large, closing\r\n");
    assertThat(client.isActive()).isFalse();
    assertThat(upstream.isActive()).isFalse();
  }

  @Test
  void idleTimeoutShouldSayByeAndCloseBothSides() {
    client.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(drain(client)).isEqualTo("* BYE Autologout, idle for too long\r\n");
    assertThat(client.isActive()).isFalse();
    assertThat(upstream.isActive()).isFalse();
  }

  @Test
  void commandLiteralThatLooksLikeCommandsShouldReachTheUpstreamAsData() {
    fromClient("a APPEND INBOX {19+}\r\nx\r\nb LOGIN evil x\r\n\r\n");
    assertThat(drain(upstream)).isEqualTo("a APPEND INBOX {19+}\r\nx\r\nb LOGIN evil x\r\n\r\n");
    assertThat(drain(client)).isEmpty();
  }

  @Test
  void clientDisconnectShouldCloseTheUpstream() {
    client.close();
    assertThat(upstream.isActive()).isFalse();
  }

  @Test
  void commandsHeldBehindARefusedLiteralShouldReachTheUpstreamWithoutWaitingForMoreInput() {
    fromClient("a APPEND Nope {5}\r\nb NOOP\r\n");
    assertThat(drain(upstream)).isEqualTo("a APPEND Nope {5}\r\n");
    fromUpstream("a NO [TRYCREATE] no such mailbox\r\n");
    assertThat(drain(upstream)).isEqualTo("b NOOP\r\n");
  }

  @Test
  void upstreamClosingAfterLogoutByeShouldNotAddASecondBye() {
    fromClient("z LOGOUT\r\n");
    fromUpstream("* BYE Dovecot says bye\r\n");
    upstream.close();
    assertThat(drain(client)).isEqualTo("* BYE Logging out\r\n");
    assertThat(client.isActive()).isFalse();
  }
}
