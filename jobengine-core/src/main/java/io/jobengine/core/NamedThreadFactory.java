package io.jobengine.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.MDC;

/**
 * Names threads {@code jobengine-<node>-<role>-<n>} so that a thread dump shows which engine and
 * which duty each belongs to. Threads are daemons: a handler that ignores interrupts must not keep
 * the host's JVM from exiting after the engine has given up on it. Each thread carries its node's
 * name in the MDC ({@code jobengine.node}).
 */
final class NamedThreadFactory implements ThreadFactory {
  private final String nodeName;
  private final String prefix;
  private final AtomicInteger next = new AtomicInteger(1);

  NamedThreadFactory(String nodeName, String role) {
    this.nodeName = nodeName;
    this.prefix = "jobengine-" + nodeName + "-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable r) {
    Runnable withNode =
        () -> {
          // Every line an engine thread logs names its node, so logs can be split per node.
          MDC.put(JobMdc.NODE, nodeName);
          r.run();
        };
    Thread t = new Thread(withNode, prefix + next.getAndIncrement());
    t.setDaemon(true);
    return t;
  }
}
