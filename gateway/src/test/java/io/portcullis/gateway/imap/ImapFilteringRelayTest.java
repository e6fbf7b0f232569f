package io.portcullis.gateway.imap;

import static io.portcullis.gateway.imap.RelayChannels.drain;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.portcullis.gateway.audit.AuditLog;
import io.portcullis.gateway.config.Endpoint;
import io.portcullis.gateway.config.GatewayConfig;
import io.portcullis.gateway.config.GatewayLimits;
import io.portcullis.gateway.config.UpstreamConfig;
import io.portcullis.gateway.filtering.FilterStores;
import io.portcullis.gateway.filtering.MessageFilter;
import io.portcullis.gateway.filtering.SessionFilter;
import io.portcullis.gateway.imap.codec.ImapFramer;
import io.portcullis.gateway.imap.scan.ArrivalScanner;
import io.portcullis.gateway.imap.scan.SideConnectionPool;
import io.portcullis.gateway.upstream.UpstreamConnector;
import io.portcullis.gateway.upstream.UpstreamCredentials;
import io.portcullis.policy.PolicyEngine;
import io.portcullis.policy.PolicyLoader;
import io.portcullis.policy.SessionFacts;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A filtering relay between two in-memory channels, exact bytes each side sees: the quarantine
 * mailbox hidden, and the SELECT of a mailbox an earlier scan settled sent at once. No scan (and no
 * side connection) ever starts: the side upstream, 192.0.2.1, does not exist. (An answer that shows
 * new mail, which needs a scan, is in ImapFilteringTest, against GreenMail.)
 */
class ImapFilteringRelayTest {
  /** What the account's earlier scan established for INBOX: UIDVALIDITY 7, all below UID 10. */
  private static final ArrivalScanner.Settled SETTLED = new ArrivalScanner.Settled(7, 10);

  @TempDir Path dir;
  private RelayChannels relay;
  private EmbeddedChannel client;
  private EmbeddedChannel upstream;
  private MessageFilter filter;
  private SideConnectionPool pool;

  @BeforeEach
  void wire() throws Exception {
    Path policy = dir.resolve("policy.yml");
    Files.writeString(policy, "version: 1\n");
    GatewayConfig config =
        new GatewayConfig(
            dir.resolve("data"), List.of(), List.of(), null, null, null, null, policy);
    filter = FilterStores.open(config, new AuditLog(Clock.systemUTC()), Clock.systemUTC());
    PolicyEngine engine = new PolicyEngine(PolicyLoader.load(policy));
    SessionFacts facts =
        new SessionFacts(
            "demo",
            Set.of(),
            InetAddress.getLoopbackAddress(),
            "imaps",
            "imap",
            Optional.empty(),
            false,
            "PLAIN",
            Instant.now());
    pool = new SideConnectionPool();
    pool.settle("default/demo", "INBOX", SETTLED);
    relay =
        RelayChannels.start(
            ImapFramer.Settings.postAuth(65536, 1024),
            clientChannel ->
                ArrivalScanner.forSession(
                    filter,
                    new SessionFilter("default/demo", facts, () -> engine),
                    ArrivalScanner.Settings.DEFAULTS,
                    new UpstreamConnector(
                        new UpstreamConfig(Endpoint.parse("imap://192.0.2.1:143"), null),
                        Optional.empty(),
                        NioSocketChannel.class,
                        GatewayLimits.defaults()),
                    new UpstreamCredentials.Password(
                        "demo", "demo", UpstreamCredentials.Source.CLIENT),
                    clientChannel,
                    pool));
    client = relay.client;
    upstream = relay.upstream;
  }

  @AfterEach
  void close() {
    relay.close();
    filter.close();
    pool.close();
  }

  private void fromClient(String text) {
    relay.fromClient(text);
  }

  private void fromUpstream(String text) {
    relay.fromUpstream(text);
  }

  @Test
  void listLsubAndStatusResponsesNamingTheQuarantineMailboxShouldBeDropped() {
    fromClient("a LIST \"\" * RETURN (STATUS (MESSAGES))\r\n");
    assertThat(drain(upstream)).isEqualTo("a LIST \"\" * RETURN (STATUS (MESSAGES))\r\n");
    fromUpstream(
        "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
            + "* STATUS INBOX (MESSAGES 2)\r\n"
            + "* LIST (\\HasNoChildren) \"/\" \"Quarantine\"\r\n"
            + "* STATUS \"Quarantine\" (MESSAGES 9)\r\n"
            + "* LIST () \"/\" {10}\r\nQuarantine\r\n"
            + "* LIST () \"/\" {12}\r\nQuarantine/x (\"CHILDINFO\" (\"SUBSCRIBED\"))\r\n"
            + "* LSUB () \".\" quarantine\r\n"
            + "* LIST () \"/\" {4}\r\nWork\r\n"
            + "a OK done\r\n");
    assertThat(drain(client))
        .isEqualTo(
            "* LIST (\\HasNoChildren) \"/\" INBOX\r\n"
                + "* STATUS INBOX (MESSAGES 2)\r\n"
                + "* LIST () \"/\" {4}\r\nWork\r\n"
                + "a OK done\r\n");
  }

  @Test
  void commandsNamingTheQuarantineMailboxShouldBeRefusedAsNonexistent() {
    fromClient("a STATUS Quarantine (MESSAGES)\r\nb RENAME Work &AFE-uarantine\r\n");
    assertThat(drain(upstream)).isEmpty();
    assertThat(drain(client))
        .isEqualTo(
            "a NO [NONEXISTENT] Mailbox does not exist\r\n"
                + "b NO [NONEXISTENT] Mailbox does not exist\r\n");
  }

  /** The name as a literal is read by the gateway, never relayed unchecked. */
  @Test
  void mailboxNameAsLiteralShouldBeCheckedBeforeAnythingIsRelayed() {
    fromClient("a STATUS {10}\r\n");
    assertThat(drain(client)).isEqualTo("+ Ready for literal data\r\n");
    fromClient("Quarantine (MESSAGES)\r\n");
    assertThat(drain(client)).isEqualTo("a NO [NONEXISTENT] Mailbox does not exist\r\n");
    fromClient("b STATUS {4+}\r\nWork (MESSAGES)\r\n");
    assertThat(drain(upstream)).isEqualTo("b STATUS \"Work\" (MESSAGES)\r\n");
  }

  @Test
  void appendToTheQuarantineMailboxShouldBeRefusedBeforeItsLiteral() {
    fromClient("a APPEND Quarantine {5}\r\n");
    assertThat(drain(client)).isEqualTo("a NO [NONEXISTENT] Mailbox does not exist\r\n");
    fromClient("b NOOP\r\n");
    assertThat(drain(upstream)).isEqualTo("b NOOP\r\n");
  }

  @Test
  void selectOfASettledMailboxShouldGoUpAtOnceAndItsAnswerThroughWhenNothingArrived() {
    fromClient("a SELECT INBOX\r\nb FETCH 1 (FLAGS)\r\n");

    // No scan first; the FETCH behind it waits for the SELECT's answer.
    assertThat(drain(upstream)).isEqualTo("a SELECT INBOX\r\n");
    String answer =
        "* FLAGS (\\Seen)\r\n"
            + "* 3 EXISTS\r\n"
            + "* OK [UIDVALIDITY 7] UIDs valid\r\n"
            + "* OK [UIDNEXT 10] Predicted next UID\r\n"
            + "a OK [READ-WRITE] Select completed\r\n";
    fromUpstream(answer);

    assertThat(drain(client)).isEqualTo(answer);
    client.runPendingTasks(); // the client's commands go on once the answer is written
    assertThat(drain(upstream)).isEqualTo("b FETCH 1 (UID FLAGS)\r\n");
  }

  @Test
  void refusedSelectShouldBeRelayedAndLetTheClientGoOn() {
    fromClient("a SELECT INBOX\r\nb NOOP\r\n");
    assertThat(drain(upstream)).isEqualTo("a SELECT INBOX\r\n");

    fromUpstream("a NO [UNAVAILABLE] Mailbox is locked\r\n");

    assertThat(drain(client)).isEqualTo("a NO [UNAVAILABLE] Mailbox is locked\r\n");
    client.runPendingTasks();
    assertThat(drain(upstream)).isEqualTo("b NOOP\r\n");
  }
}
