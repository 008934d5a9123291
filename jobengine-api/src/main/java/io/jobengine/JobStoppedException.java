package io.jobengine;

import java.util.Objects;

/**
 * Thrown by {@link JobContext#checkpoint()} when the running job should stop: it was canceled, its
 * lease was lost, its timeout passed, or the engine is shutting down. A handler lets it propagate
 * (or returns); the engine then records the outcome that fits the reason.
 */
public class JobStoppedException extends JobEngineException {
  private static final long serialVersionUID = 1L;

  /** Why a running job is asked to stop. */
  public enum Reason {
    /** Somebody canceled the job; it will end CANCELED. */
    CANCELED,
    /**
     * This node no longer holds the job's lease (it was paused or cut off from the database past
     * the lease), or cannot renew it in time: no renewal succeeded, and the attempt is stopped a
     * fifth of the lease before the lease could expire. Another node may run the job soon, and
     * nothing this attempt writes once another node holds the job will land.
     */
    LEASE_LOST,
    /** The attempt ran past its timeout; it is retried or fails as its retry policy says. */
    TIMED_OUT,
    /** The engine is shutting down; the job is released without using up an attempt. */
    SHUTDOWN
  }

  private final Reason reason;

  /**
   * @param reason why the job should stop
   * @param message the message
   */
  public JobStoppedException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /**
   * Why the job should stop.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }
}
