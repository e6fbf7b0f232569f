package io.portcullis.gateway.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImapSmokeTest {
  @TempDir Path dataDir;

  @Test
  void loginOverImapsShouldRelaySelectAndFetch() throws Exception {
    long t0 = System.nanoTime();
    try (GatewayFixture g = GatewayFixture.withGreenMail(dataDir);
        ImapTestClient c = ImapTestClient.tls(g.address(g.imaps))) {
      System.out.println("start " + (System.nanoTime() - t0) / 1000000 + " ms");
      g.deliver("hello", "body text");
      System.out.println(c.readLine());
      for (String cmd :
          new String[] {
            "a1 LOGIN demo demo", "a2 SELECT INBOX", "a25 FETCH 1 (BODY[])", "a26 CAPABILITY"
          }) {
        c.send(cmd + "\r\n");
        String line;
        String tag = cmd.split(" ")[0];
        while (!(line = c.readLine()).startsWith(tag)) {
          System.out.println(line);
        }
        System.out.println(line);
      }
      System.out.println((System.nanoTime() - t0) / 1000000 + " ms");
      c.send("a3 LOGOUT\r\n");
      String line;
      while ((line = c.readLine()) != null) {
        System.out.println(line);
      }
      assertThat(line).isNull();
    }
  }
}
