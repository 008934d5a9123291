package io.jobengine.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names threads {@code jobengine-<node>-<role>-<n>} so that a thread dump shows which engine and
 * which duty each belongs to. Threads are daemons: a handler that ignores interrupts must not keep
 * the host's JVM from exiting after the engine has given up on it.
 */
final class NamedThreadFactory implements ThreadFactory {
  private final String prefix;
  private final AtomicInteger next = new AtomicInteger(1);

  NamedThreadFactory(String nodeName, String role) {
    this.prefix = "jobengine-" + nodeName + "-" + role + "-";
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, prefix + next.getAndIncrement());
    t.setDaemon(true);
    return t;
  }
}
