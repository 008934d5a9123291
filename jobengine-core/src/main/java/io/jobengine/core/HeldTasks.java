package io.jobengine.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * An executor that runs nothing by itself: it holds what it is given until {@link #runAll()} runs
 * it on the calling thread. The worker pools of a {@link SteppedEngine} submit to it, so that a
 * test decides when, and on which thread, claimed jobs run.
 */
final class HeldTasks extends AbstractExecutorService {
  private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
  private boolean shutdown;

  @Override
  public synchronized void execute(Runnable task) {
    if (shutdown) {
      throw new RejectedExecutionException("The stepped engine is closed; it runs no more jobs");
    }
    tasks.add(task);
  }

  /**
   * Runs the held tasks on the calling thread, oldest first, including any held while they run.
   *
   * @return how many ran
   */
  int runAll() {
    int ran = 0;
    for (Runnable task = next(); task != null; task = next()) {
      task.run();
      ran++;
    }
    return ran;
  }

  private synchronized Runnable next() {
    return tasks.poll();
  }

  synchronized int size() {
    return tasks.size();
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> left = new ArrayList<>(tasks);
    tasks.clear();
    return left;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown && tasks.isEmpty();
  }

  /** Nothing runs by itself here, so there is nothing to wait for: answers at once. */
  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }
}
