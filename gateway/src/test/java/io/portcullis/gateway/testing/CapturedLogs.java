package io.portcullis.gateway.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures every log event of the process while open (root logger, all levels it passes). */
public final class CapturedLogs implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Logger root;

  public CapturedLogs() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  /** Every captured line as it would be printed: formatted message plus any throwable text. */
  public List<String> lines() {
    synchronized (appender.list) {
      return appender.list.stream()
          .map(
              e ->
                  e.getLoggerName()
                      + " "
                      + e.getFormattedMessage()
                      + (e.getThrowableProxy() == null
                          ? ""
                          : " " + e.getThrowableProxy().getMessage()))
          .toList();
    }
  }

  /** Lines of the audit logger. */
  public List<String> audit() {
    return lines().stream()
        .filter(l -> l.startsWith("portcullis.audit "))
        .map(l -> l.substring("portcullis.audit ".length()))
        .toList();
  }

  @Override
  public void close() {
    root.detachAppender(appender);
  }
}
