package io.jobengine.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Captures what one logger (and its children) logs, with the MDC of the thread that logged each
 * line, copied at the moment it was logged. Attach in a test, {@link #close()} after.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  /** One captured line. */
  record Line(String logger, Level level, String message, Map<String, String> mdc) {}

  private final List<Line> lines = new CopyOnWriteArrayList<>();
  private final Logger logger;
  private final Level previousLevel;
  private final boolean previousAdditive;

  private LogCapture(String name, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(name);
    this.previousLevel = logger.getLevel();
    this.previousAdditive = logger.isAdditive();
    setContext(logger.getLoggerContext());
    setName("capture-" + name);
    start();
    logger.addAppender(this);
    logger.setLevel(level);
    logger.setAdditive(false);
  }

  /** Captures {@code name} and its children from {@code level} up, instead of the console. */
  static LogCapture of(String name, Level level) {
    return new LogCapture(name, level);
  }

  @Override
  protected void append(ILoggingEvent event) {
    // On the logging thread: the MDC map is read now, not when the test looks.
    lines.add(
        new Line(event.getLoggerName(), event.getLevel(), event.getFormattedMessage(),
            Map.copyOf(event.getMDCPropertyMap())));
  }

  List<Line> lines() {
    return List.copyOf(lines);
  }

  /** The lines whose message contains {@code text}. */
  List<Line> containing(String text) {
    return lines.stream().filter(l -> l.message().contains(text)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(this);
    logger.setLevel(previousLevel);
    logger.setAdditive(previousAdditive);
    stop();
  }
}
