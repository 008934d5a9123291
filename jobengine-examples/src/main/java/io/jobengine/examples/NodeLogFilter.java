package io.jobengine.examples;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets through only log events that belong to a node, so the per-node log files hold each node's
 * own lines and nothing else: events with the MDC key {@code jobengine.node} (a job's lines), or
 * every event of a process that is one node (WorkerMain sets the system property {@code
 * jobengine.node}).
 */
public final class NodeLogFilter extends Filter<ILoggingEvent> {
  private final boolean processIsOneNode = System.getProperty("jobengine.node") != null;

  @Override
  public FilterReply decide(ILoggingEvent event) {
    return processIsOneNode || event.getMDCPropertyMap().containsKey("jobengine.node")
        ? FilterReply.NEUTRAL
        : FilterReply.DENY;
  }
}
