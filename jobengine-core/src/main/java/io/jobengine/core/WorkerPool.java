package io.jobengine.core;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The worker threads of one queue, and the count of those busy. The dispatcher claims only as many
 * jobs as {@link #free()} says, so jobs never wait in a local backlog where no other node could
 * take them.
 */
final class WorkerPool {
  private final String queue;
  private final int threads;
  private final AtomicInteger busy = new AtomicInteger();
  private final ExecutorService executor;
  private final Runnable onThreadFreed;
  /** When the dispatcher first saw this pool partly free without claiming; 0 if not. Its thread only. */
  long partialSince;

  /**
   * @param onThreadFreed runs each time a thread becomes free, after it counts as free: the
   *     dispatcher's wake-up, so that a freed thread is filled without waiting for the next poll
   */
  WorkerPool(String nodeName, String queue, int threads, Runnable onThreadFreed) {
    this(
        queue, threads,
        new ThreadPoolExecutor(
            threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
            new NamedThreadFactory(nodeName, "worker-" + queue)),
        onThreadFreed);
  }

  /**
   * A pool whose jobs run on {@code executor}, which may run them later: {@code threads} is then
   * the number of job slots the dispatcher claims for (the {@link SteppedEngine}'s held tasks).
   */
  WorkerPool(String queue, int threads, ExecutorService executor, Runnable onThreadFreed) {
    this.queue = queue;
    this.threads = threads;
    this.onThreadFreed = onThreadFreed;
    this.executor = executor;
  }

  String queue() {
    return queue;
  }

  int threads() {
    return threads;
  }

  /** Threads neither running a job nor about to. */
  int free() {
    return threads - busy.get();
  }

  /** Runs a job; the thread counts as busy until {@code job} returns. */
  void submit(Runnable job) {
    busy.incrementAndGet();
    try {
      executor.execute(
          () -> {
            try {
              job.run();
            } finally {
              busy.decrementAndGet();
              onThreadFreed.run();
            }
          });
    } catch (RuntimeException e) {
      busy.decrementAndGet();
      throw e;
    }
  }

  /** Stops the threads, interrupting any still running. */
  void shutdownNow() {
    executor.shutdownNow();
  }

  ExecutorService executor() {
    return executor;
  }
}
