package io.jobengine.core;

import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due jobs for free worker threads and hands each to its queue's {@link WorkerPool}, as a
 * {@link JobRunner}.
 *
 * <p>It claims only as many jobs as a queue has free threads, and only of the types this node has
 * handlers for, so no claimed job waits behind others on this node while another node idles, and a
 * rolling deploy never fails a job for want of a handler. It polls adaptively: again at once when a
 * claim filled every free thread (more are likely due), soon (a tenth of the poll interval, at
 * least 10 ms) while it has found jobs within the last poll interval, and after the poll interval
 * when it has found none for that long; a local enqueue or a freed thread wakes it early.
 */
final class Dispatcher implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** How long a partly free pool waits for more of its threads before it claims. */
  static final Duration LINGER = Duration.ofMillis(1);

  /** {@link #LINGER}, or zero for a caller that steps the dispatcher and must not be put off. */
  private final Duration linger;
  private final JobStore store;
  private final String nodeName;
  private final HandlerRegistry handlers;
  private final List<WorkerPool> pools;
  private final Duration leaseDuration;
  private final Duration pollInterval;
  private final Duration busyPollInterval;
  private final LeaseKeeper leaseKeeper;
  private final Map<JobId, RunningJob> active;
  private final JobRunner.Collaborators runners;
  private final Map<String, Integer> maxAttempts;
  private final Waiter waiter = new Waiter();
  private volatile boolean stopping;

  Dispatcher(
      JobStore store,
      String nodeName,
      HandlerRegistry handlers,
      List<WorkerPool> pools,
      Duration leaseDuration,
      Duration pollInterval,
      LeaseKeeper leaseKeeper,
      Map<JobId, RunningJob> active,
      JobRunner.Collaborators runners,
      Duration linger,
      Map<String, Integer> maxAttempts) {
    this.store = store;
    this.nodeName = nodeName;
    this.handlers = handlers;
    this.pools = List.copyOf(pools);
    this.leaseDuration = leaseDuration;
    this.pollInterval = pollInterval;
    Duration tenth = pollInterval.dividedBy(10);
    this.busyPollInterval = tenth.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : tenth;
    this.leaseKeeper = leaseKeeper;
    this.active = active;
    this.runners = runners;
    this.linger = linger;
    this.maxAttempts = Map.copyOf(maxAttempts);
  }

  /** Makes the loop look for jobs now: after a local enqueue, or when a thread became free. */
  void wake() {
    waiter.wake();
  }

  void stop() {
    stopping = true;
    waiter.wake();
  }

  @Override
  public void run() {
    long lastFound = System.nanoTime() - pollInterval.toNanos();
    while (!stopping) {
      Duration wait;
      try {
        Poll poll = runOnce();
        if (poll == Poll.SOME || poll == Poll.FULL) {
          lastFound = System.nanoTime();
        }
        // Busy means jobs were found within the last poll interval: a wake-up (a freed thread)
        // that finds nothing does not drop the node back to the slow poll while work flows.
        boolean busy = System.nanoTime() - lastFound < pollInterval.toNanos();
        wait =
            poll == Poll.FULL ? Duration.ZERO
                : poll == Poll.LINGER ? linger
                : busy ? busyPollInterval : pollInterval;
      } catch (RuntimeException e) {
        log.warn("Claiming jobs failed; trying again in {}: {}", pollInterval, e.toString());
        wait = pollInterval;
      }
      if (wait.isZero()) {
        continue;
      }
      try {
        waiter.await(wait);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** What a pass found. */
  enum Poll {
    /** Nothing due, or no free thread. */
    NONE,
    /** Some jobs, fewer than the free threads. */
    SOME,
    /** As many jobs as free threads in some queue: more are probably due. */
    FULL,
    /** Nothing claimed yet: a partly free pool waits a moment for more of its threads. */
    LINGER
  }

  /** One pass over the queues: claim for the free threads of each and start the jobs. */
  Poll runOnce() {
    if (stopping || !leaseKeeper.healthy()) {
      return Poll.NONE;
    }
    Poll result = Poll.NONE;
    long now = System.nanoTime();
    for (WorkerPool pool : pools) {
      int free = pool.free();
      if (free <= 0) {
        pool.partialSince = 0;
        continue;
      }
      // Threads that ran a claim's jobs free up within microseconds of one another; claiming for
      // the first one alone would split every later claim (and its start and outcome batches)
      // into small pieces. So a partly free pool waits up to LINGER for the others.
      if (free < pool.threads()) {
        if (pool.partialSince == 0) {
          pool.partialSince = now;
        }
        if (now - pool.partialSince < linger.toNanos()) {
          result = result == Poll.NONE ? Poll.LINGER : result;
          continue;
        }
      }
      pool.partialSince = 0;
      // The lease counts from before the claim is sent, so the local deadline is never later
      // than the database's expiry.
      long claimStarted = leaseKeeper.now();
      List<ClaimedJob> claimed =
          store.claim(
              new ClaimRequest(
                  nodeName, pool.queue(), handlers.types(), free, leaseDuration, maxAttempts));
      long leaseValidUntil = claimStarted + leaseDuration.toNanos();
      for (ClaimedJob job : claimed) {
        JobHandler<?> handler = handlers.get(job.type());
        Duration timeout = job.timeout() != null ? job.timeout() : handler.timeout().orElse(null);
        RunningJob running = new RunningJob(job, handler, timeout, leaseValidUntil);
        active.put(running.id(), running);
        leaseKeeper.track(running);
        pool.submit(new JobRunner(running, runners));
      }
      if (!claimed.isEmpty()) {
        log.debug("Claimed {} job(s) from queue '{}'", claimed.size(), pool.queue());
        result = claimed.size() >= free ? Poll.FULL : (result == Poll.FULL ? Poll.FULL : Poll.SOME);
      }
    }
    return result;
  }
}
