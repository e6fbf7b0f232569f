package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.event.MessageCountAdapter;
import jakarta.mail.event.MessageCountEvent;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.SubjectTerm;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real client library (Jakarta Mail / Angus) over TLS through the gateway to GreenMail. */
class ImapJakartaMailIntegrationTest {
  private static GatewayFixture gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway =
        GatewayFixture.withGreenMail(
            GatewayFixture.SHARED_DATA_DIR,
            GatewayFixture.limits(5, Duration.ofSeconds(30), false));
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  private static Store connect() throws Exception {
    Properties p = new Properties();
    p.put("mail.imaps.ssl.trust", "*");
    p.put("mail.imaps.ssl.checkserveridentity", "false");
    p.put("mail.imaps.timeout", "10000");
    p.put("mail.imaps.connectiontimeout", "10000");
    Store store = Session.getInstance(p).getStore("imaps");
    store.connect(
        "127.0.0.1",
        gateway.address(gateway.imaps).getPort(),
        GatewayFixture.USER,
        GatewayFixture.PASSWORD);
    return store;
  }

  @Test
  void clientShouldListSelectSearchFetchAppendAndMoveThroughTheGateway() throws Exception {
    gateway.deliver("first", "hello one");
    gateway.deliver("second", "hello two");
    Store store = connect();
    try {
      Folder root = store.getDefaultFolder();
      Folder archive = root.getFolder("Archive");
      if (!archive.exists()) {
        archive.create(Folder.HOLDS_MESSAGES);
      }
      assertThat(Arrays.stream(root.list()).map(Folder::getName)).contains("INBOX", "Archive");

      Folder inbox = store.getFolder("INBOX");
      inbox.open(Folder.READ_WRITE);
      Message[] found = inbox.search(new SubjectTerm("second"));
      assertThat(found).hasSize(1);
      assertThat(found[0].getContent().toString()).contains("hello two");

      // APPEND with a literal whose content looks like commands (THREATS P1).
      MimeMessage appended = new MimeMessage(Session.getInstance(new Properties()));
      appended.setSubject("appended");
      appended.setText("line\r\nA1 LOGOUT\r\n" + "x".repeat(100_000));
      appended.setFlags(new Flags(Flags.Flag.SEEN), true);
      inbox.appendMessages(new Message[] {appended});
      Message[] again = inbox.search(new SubjectTerm("appended"));
      assertThat(again).hasSize(1);
      assertThat((String) again[0].getContent())
          .isEqualTo("line\r\nA1 LOGOUT\r\n" + "x".repeat(100_000));

      ((IMAPFolder) inbox).moveMessages(found, archive);
      archive.open(Folder.READ_ONLY);
      assertThat(archive.search(new SubjectTerm("second"))).hasSize(1);
      archive.close(false);
      inbox.close(false);
    } finally {
      store.close();
    }
  }

  @Test
  void idleShouldDeliverNewMessageNotificationWhenAnotherSessionAppends() throws Exception {
    Store watcher = connect();
    Store writer = connect();
    try {
      IMAPFolder inbox = (IMAPFolder) watcher.getFolder("INBOX");
      inbox.open(Folder.READ_ONLY);
      CompletableFuture<Integer> added = new CompletableFuture<>();
      inbox.addMessageCountListener(
          new MessageCountAdapter() {
            @Override
            public void messagesAdded(MessageCountEvent e) {
              added.complete(e.getMessages().length);
            }
          });
      Thread idler =
          Thread.ofVirtual()
              .start(
                  () -> {
                    try {
                      inbox.idle(true);
                    } catch (Exception e) {
                      added.completeExceptionally(e);
                    }
                  });
      // Append from the other session until the watcher's IDLE reports it.
      Folder other = writer.getFolder("INBOX");
      MimeMessage m = new MimeMessage(Session.getInstance(new Properties()));
      m.setSubject("while idling");
      m.setText("new");
      for (int i = 0; i < 50 && !added.isDone(); i++) {
        other.appendMessages(new Message[] {m});
        try {
          added.get(200, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
          // IDLE may not have started yet: append again
        }
      }
      assertThat(added.get(10, TimeUnit.SECONDS)).isPositive();
      idler.join(Duration.ofSeconds(10));
      inbox.close(false);
    } finally {
      watcher.close();
      writer.close();
    }
  }
}
