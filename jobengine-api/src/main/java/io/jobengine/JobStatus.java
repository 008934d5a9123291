package io.jobengine;

/**
 * Where a job is in its life.
 *
 * <pre>
 * PENDING --claim--&gt; RUNNING --&gt; SUCCESS | WARNING | FAILURE
 *    ^                   |
 *    +-- retry with backoff, lease expired, or released
 * PENDING --cancel--&gt; CANCELED
 * RUNNING --cancel--&gt; TO_CANCEL --the handler stops--&gt; CANCELED
 * </pre>
 */
public enum JobStatus {
  /** Waiting in the queue; claimable once its run time has come. */
  PENDING,
  /**
   * Claimed under a lease but not yet started. Nothing produces it any more: a claim makes its jobs
   * RUNNING at once, since a node claims only for free worker threads. It is kept because the
   * stores still handle it as leased (renewed, fenced, reaped and canceled like RUNNING) and the
   * MySQL schema names it (its unique-key column); new code should not set it.
   */
  QUEUED,
  /** Claimed by a node under a lease; a handler is running it. */
  RUNNING,
  /** Cancel was requested while it was claimed or running; the handler is being stopped. */
  TO_CANCEL,
  /** The handler finished. */
  SUCCESS,
  /** The handler finished and reported warnings through {@link JobContext#warn(String)}. */
  WARNING,
  /** The handler failed and no attempt is left, or the failure was not retryable. */
  FAILURE,
  /** Canceled before it ran, or stopped while running. */
  CANCELED;

  /**
   * Whether the job has ended: no node will run it again unless it is retried by hand.
   *
   * @return true for SUCCESS, WARNING, FAILURE and CANCELED
   */
  public boolean isTerminal() {
    return this == SUCCESS || this == WARNING || this == FAILURE || this == CANCELED;
  }

  /**
   * Whether a node holds the job under a lease.
   *
   * @return true for RUNNING, TO_CANCEL and QUEUED
   */
  public boolean isLeased() {
    return this == QUEUED || this == RUNNING || this == TO_CANCEL;
  }
}
