package io.portcullis.tls;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code verify: false} is loud: at startup and on every connection. */
class UpstreamTlsLoggingTest {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(UpstreamTls.class);

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  private List<String> warnings() {
    return appender.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Test
  void disabledVerificationShouldWarnAtCreationAndOnEveryConnection() throws Exception {
    UpstreamTls tls =
        UpstreamTls.create(
            new UpstreamTlsSettings(Optional.empty(), false, List.of(), TlsProvider.JDK));
    assertThat(warnings()).singleElement().asString().contains("DISABLED");
    tls.newHandler(ByteBufAllocator.DEFAULT, "imap.example.test", 993).engine().closeOutbound();
    tls.newHandler(ByteBufAllocator.DEFAULT, "imap.example.test", 993).engine().closeOutbound();
    assertThat(warnings()).hasSize(3).last().asString().contains("imap.example.test:993");
  }

  @Test
  void verifiedUpstreamShouldNotWarn() throws Exception {
    UpstreamTls tls = UpstreamTls.create(UpstreamTlsSettings.defaults());
    tls.newHandler(ByteBufAllocator.DEFAULT, "imap.example.test", 993).engine().closeOutbound();
    assertThat(warnings()).isEmpty();
  }
}
