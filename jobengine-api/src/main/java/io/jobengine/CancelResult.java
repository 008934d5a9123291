package io.jobengine;

/** What {@link JobClient#cancel(JobId)} did. */
public enum CancelResult {
  /** The job had not started; it is now CANCELED and will not run. */
  CANCELED,
  /**
   * The job is claimed or running; it is now TO_CANCEL, and its node stops the handler and ends it
   * CANCELED (or in its own outcome, if the handler finishes first).
   */
  CANCEL_REQUESTED,
  /** The job had already ended; nothing changed. */
  ALREADY_FINISHED,
  /** No job has that id. */
  NOT_FOUND
}
