package io.jobengine.core;

import io.jobengine.JobStoppedException.Reason;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a handler before any other node can start its job: a timer, armed for the earliest
 * {@linkplain #stopAt(RunningJob) stop time} of the attempts this node holds, interrupts each
 * attempt a safety margin before its local lease deadline.
 *
 * <p>The local deadline is the moment the claim or the last successful renewal was <em>sent</em>
 * plus the lease, on the monotonic clock. The database counts the lease from when it ran the
 * statement, which is later, so the local deadline is never after the database's expiry, and no
 * other node can take the job over before it (the reaper compares the expiry with the database's
 * clock). The {@link #marginFor(Duration) margin} (a fifth of the lease) covers what the local
 * deadline cannot: this timer firing late (a GC pause, a loaded CPU), the handler's time to react
 * to the interrupt, and a difference between the rates of the two clocks. A fifth leaves room for
 * two renewals (one every third of the lease) to fail before a handler is stopped.
 *
 * <p>Renewals move deadlines later without touching the timer: when it fires early it finds
 * nothing due and re-arms for the new earliest stop time. So a renewal costs the timer nothing,
 * and it fires about once per renewal. A renewal that failed, or skipped a job's row because
 * another transaction held it locked, leaves that job's deadline where it was.
 *
 * <p>Runs on the watchdog thread, which never blocks: a stop only sets the reason and interrupts.
 */
final class LeaseDeadlines {
  private static final Logger log = LoggerFactory.getLogger(LeaseDeadlines.class);

  /** The margin is this fraction of the lease. */
  static final int MARGIN_FRACTION = 5;

  private final NanoClock clock;
  private final ScheduledExecutorService timer;
  private final Collection<RunningJob> jobs;
  private final long marginNanos;
  private final Object lock = new Object();
  private ScheduledFuture<?> armed;
  private long armedFor;

  /**
   * @param clock the clock the jobs' deadlines are on
   * @param timer where the check runs; must never be kept busy. Null for an engine stepped by
   *     hand: the timer is then never armed and nothing is stopped by it (its steps run the
   *     handlers on the caller's thread, which a timer must not interrupt)
   * @param jobs a live view of the attempts this node holds
   * @param leaseDuration the lease, of which the margin is a fraction
   */
  LeaseDeadlines(
      NanoClock clock, ScheduledExecutorService timer, Collection<RunningJob> jobs,
      Duration leaseDuration) {
    this.clock = clock;
    this.timer = timer;
    this.jobs = jobs;
    this.marginNanos = marginFor(leaseDuration).toNanos();
  }

  /** How long before its local lease deadline a handler is stopped. */
  static Duration marginFor(Duration leaseDuration) {
    return leaseDuration.dividedBy(MARGIN_FRACTION);
  }

  /** When the attempt is stopped unless its lease is renewed first, on the monotonic clock. */
  long stopAt(RunningJob job) {
    return job.leaseValidUntilNanos() - marginNanos;
  }

  /** Makes sure the timer fires by the stop time of a newly claimed attempt. */
  void track(RunningJob job) {
    arm(stopAt(job));
  }

  /** The stop time the timer is armed for, or null when it is not armed; for tests. */
  Long armedFor() {
    synchronized (lock) {
      return armed == null ? null : armedFor;
    }
  }

  private void arm(long stopAt) {
    if (timer == null) {
      return;
    }
    synchronized (lock) {
      if (armed != null && armedFor - stopAt <= 0) {
        return; // fires no later than needed; it re-arms for what is left
      }
      if (armed != null) {
        armed.cancel(false);
      }
      armedFor = stopAt;
      try {
        armed =
            timer.schedule(this::checkGuarded, Math.max(0, stopAt - clock.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (RejectedExecutionException e) {
        armed = null; // the engine is shutting down
      }
    }
  }

  private void checkGuarded() {
    try {
      check();
    } catch (RuntimeException e) {
      log.error("Unexpected failure in the lease deadline timer; it runs again at the next claim", e);
    }
  }

  /** Stops every attempt whose stop time has come, and re-arms for the earliest of the others. */
  void check() {
    synchronized (lock) {
      armed = null;
    }
    long now = clock.nanoTime();
    Long next = null;
    for (RunningJob job : jobs) {
      if (job.outcomeClaimed() || job.stopReason() != null) {
        continue; // ended, or already asked to stop
      }
      long stopAt = stopAt(job);
      if (now - stopAt >= 0) {
        if (job.requestStop(Reason.LEASE_LOST)) {
          JobMdc.run(job, () -> log.error(
              "{}: no lease renewal succeeded in time; interrupting it {} before its lease may "
                  + "expire, so that it does not run beside another node's attempt",
              job, Duration.ofNanos(marginNanos)));
        }
      } else if (next == null || stopAt - next < 0) {
        next = stopAt;
      }
    }
    if (next != null) {
      arm(next);
    }
  }
}
