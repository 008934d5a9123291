package io.jobengine.contract;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * Records every log event of every logger, at every level, while open: for tests that check what
 * reaches the log. Each event is rendered whole: message, MDC, and every throwable of its chain
 * with its message and stack frames.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  private final Level previousLevel = root.getLevel();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final Map<Appender<ILoggingEvent>, List<Filter<ILoggingEvent>>> quieted = new HashMap<>();

  /**
   * Starts recording. The other appenders keep to the level the root logger had, so the console
   * does not fill with what only this capture wants.
   */
  public LogCapture() {
    appender.setName("capture");
    appender.start();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      Appender<ILoggingEvent> other = it.next();
      quieted.put(other, other.getCopyOfAttachedFiltersList());
      ThresholdFilter threshold = new ThresholdFilter();
      threshold.setLevel(String.valueOf(root.getEffectiveLevel()));
      threshold.start();
      other.addFilter(threshold);
    }
    root.addAppender(appender);
    root.setLevel(Level.TRACE);
  }

  /**
   * The events so far, each as one text.
   *
   * @return the texts
   */
  public List<String> lines() {
    List<ILoggingEvent> events;
    synchronized (appender) {
      events = new ArrayList<>(appender.list);
    }
    List<String> lines = new ArrayList<>(events.size());
    for (ILoggingEvent e : events) {
      StringBuilder line =
          new StringBuilder(e.getLevel().toString()).append(' ').append(e.getLoggerName())
              .append(' ').append(e.getFormattedMessage()).append(' ').append(e.getMDCPropertyMap());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        line.append("\n").append(t.getClassName()).append(": ").append(t.getMessage());
        for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
          line.append("\n  ").append(frame.getSTEAsString());
        }
        for (IThrowableProxy suppressed : t.getSuppressed()) {
          line.append("\nSuppressed: ").append(suppressed.getClassName()).append(": ")
              .append(suppressed.getMessage());
        }
      }
      lines.add(line.toString());
    }
    return lines;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    root.setLevel(previousLevel);
    appender.stop();
    quieted.forEach(
        (other, filters) -> {
          other.clearAllFilters();
          filters.forEach(other::addFilter);
        });
  }
}
