package io.jobengine.core;

import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Completion;
import io.jobengine.spi.Lease;
import io.jobengine.spi.ProgressUpdate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt of a job on this node, from claim to the write of its outcome: the state shared by
 * the worker thread that runs it, the lease keeper, the timeout watchdog and shutdown.
 *
 * <p>Two rules keep it safe. The handler's thread is interrupted only while it is inside the
 * handler, never while the engine itself is writing the outcome (an interrupt there could break
 * the JDBC write). And the outcome is written at most once: whoever wins {@link #claimOutcome()}
 * (the worker, the watchdog for a handler stuck past its timeout, or shutdown) writes it.
 */
final class RunningJob {
  /** Kept free of the warnings' budget for the note on dropped warnings. */
  private static final int NOTE_ROOM = 200;

  /** A warning that would be cut below this is dropped instead: little of it would be left. */
  private static final int MIN_WARNING_ROOM = 100;

  private final ClaimedJob job;
  private final JobHandler<?> handler;
  private final Duration timeout;
  private final AtomicReference<Reason> stopReason = new AtomicReference<>();
  private final AtomicBoolean outcomeClaimed = new AtomicBoolean();
  private final Object reportLock = new Object();
  private final List<String> warnings = new ArrayList<>();
  private int warningChars;
  private int droppedWarnings;
  private Integer percent;
  private String message;
  private boolean reportPending;
  private final Object threadLock = new Object();
  private Thread thread;
  private boolean inHandler;
  private boolean handlerDone;
  private volatile long leaseValidUntilNanos;
  /** The completion the handler last wrote in its own transaction, or null. */
  private volatile Completion completedInTransaction;

  RunningJob(ClaimedJob job, JobHandler<?> handler, Duration timeout, long leaseValidUntilNanos) {
    this.job = job;
    this.handler = handler;
    this.timeout = timeout;
    this.leaseValidUntilNanos = leaseValidUntilNanos;
  }

  ClaimedJob job() {
    return job;
  }

  JobId id() {
    return job.lease().jobId();
  }

  Lease lease() {
    return job.lease();
  }

  JobHandler<?> handler() {
    return handler;
  }

  /** The attempt's timeout, or null for none. */
  Duration timeout() {
    return timeout;
  }

  Reason stopReason() {
    return stopReason.get();
  }

  /**
   * Asks the attempt to stop; the first reason wins. Interrupts the handler if it is running.
   *
   * @return true if this call set the reason
   */
  boolean requestStop(Reason reason) {
    if (!stopReason.compareAndSet(null, reason)) {
      return false;
    }
    synchronized (threadLock) {
      if (inHandler) {
        thread.interrupt();
      }
    }
    return true;
  }

  /** Called by the worker thread just before the handler runs. */
  void enterHandler() {
    synchronized (threadLock) {
      thread = Thread.currentThread();
      inHandler = true;
      if (stopReason.get() != null) {
        thread.interrupt();
      }
    }
  }

  /** Called by the worker thread when the handler has returned or thrown. Clears its interrupt. */
  void exitHandler() {
    synchronized (threadLock) {
      inHandler = false;
      handlerDone = true;
    }
    // An interrupt meant for the handler must not reach the engine's own writes.
    Thread.interrupted();
  }

  boolean handlerDone() {
    synchronized (threadLock) {
      return handlerDone;
    }
  }

  /** The thread running the handler, for log messages; null before it starts. */
  String threadName() {
    synchronized (threadLock) {
      return thread == null ? null : thread.getName();
    }
  }

  /** @return true for exactly one caller: the one that writes the outcome */
  boolean claimOutcome() {
    return outcomeClaimed.compareAndSet(false, true);
  }

  boolean outcomeClaimed() {
    return outcomeClaimed.get();
  }

  /**
   * Records that the handler wrote {@code completion} in its own transaction (which may still
   * commit or roll back). From then on nothing more is reported for the attempt, and a write
   * rejected by the fence is no sign of a lost lease: the handler's commit may have ended the job.
   * Null takes it back (the store refused the write, so there is nothing to read back).
   */
  void completedInTransaction(Completion completion) {
    this.completedInTransaction = completion;
  }

  /** The completion the handler wrote in its own transaction, or null if it wrote none. */
  Completion completedInTransaction() {
    return completedInTransaction;
  }

  long leaseValidUntilNanos() {
    return leaseValidUntilNanos;
  }

  /** Moves the local lease deadline later (never earlier); called by the lease thread only. */
  void leaseRenewed(long validUntilNanos) {
    if (validUntilNanos - leaseValidUntilNanos > 0) {
      this.leaseValidUntilNanos = validUntilNanos;
    }
  }

  /** Keeps the latest progress; the message is cut to {@link JobContext#MAX_PROGRESS_MESSAGE_LENGTH}. */
  void progress(int percent, String message) {
    String kept = Texts.cut(message, JobContext.MAX_PROGRESS_MESSAGE_LENGTH);
    synchronized (reportLock) {
      this.percent = percent;
      this.message = kept;
      reportPending = true;
    }
  }

  /**
   * Keeps a warning within the attempt's budget (see {@link JobContext}): each cut to {@link
   * JobContext#MAX_WARNING_LENGTH}, at most {@link JobContext#MAX_WARNINGS} of them and {@link
   * JobContext#MAX_WARNINGS_TOTAL_LENGTH} characters in all; the rest are counted, not kept.
   */
  void warn(String message) {
    synchronized (reportLock) {
      reportPending = true;
      int room = JobContext.MAX_WARNINGS_TOTAL_LENGTH - NOTE_ROOM - warningChars;
      if (warnings.size() >= JobContext.MAX_WARNINGS || room < MIN_WARNING_ROOM) {
        droppedWarnings++;
        return;
      }
      String kept = Texts.cut(message, Math.min(JobContext.MAX_WARNING_LENGTH, room));
      warnings.add(kept);
      warningChars += kept.length();
    }
  }

  /**
   * What the handler reported (its last progress and all its warnings) if it reported anything
   * since the last call; null otherwise.
   */
  ProgressUpdate takeReport() {
    synchronized (reportLock) {
      if (!reportPending || completedInTransaction != null) {
        return null;
      }
      reportPending = false;
      return new ProgressUpdate(job.lease(), percent, message, keptWarnings());
    }
  }

  /**
   * Marks the report as pending again: the store passed over its write because another session
   * held the job's row locked, so the next flush writes the latest state. Nothing once the handler
   * has completed the job in its own transaction.
   */
  void reportAgain() {
    synchronized (reportLock) {
      if (completedInTransaction == null) {
        reportPending = true;
      }
    }
  }

  /** The warnings kept, and a last note on how many were dropped if any were. */
  List<String> warnings() {
    synchronized (reportLock) {
      return keptWarnings();
    }
  }

  private List<String> keptWarnings() {
    if (droppedWarnings == 0) {
      return List.copyOf(warnings);
    }
    List<String> all = new ArrayList<>(warnings);
    all.add(
        "... and " + droppedWarnings + " more warning(s) not kept (at most "
            + JobContext.MAX_WARNINGS + " warnings, " + JobContext.MAX_WARNINGS_TOTAL_LENGTH
            + " characters in all)");
    return List.copyOf(all);
  }

  @Override
  public String toString() {
    return "job " + id() + " (type " + job.type() + ", attempt " + job.attempt() + ")";
  }
}
