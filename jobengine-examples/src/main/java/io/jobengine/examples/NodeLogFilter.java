package io.jobengine.examples;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Lets through only log events that belong to a node (MDC key {@code jobengine.node}), so the
 * per-node log files hold each node's own lines and nothing else.
 */
public final class NodeLogFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    return event.getMDCPropertyMap().containsKey("jobengine.node") ? FilterReply.NEUTRAL : FilterReply.DENY;
  }
}
