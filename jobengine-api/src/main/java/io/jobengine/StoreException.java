package io.jobengine;

/**
 * The job store failed to do an operation: the database is unreachable, a statement failed, or the
 * schema is missing or too new. The message names the operation and, where there is one, the job.
 */
public class StoreException extends JobEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, for which job, and what happens next
   * @param cause the underlying failure
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what failed, for which job, and what happens next
   */
  public StoreException(String message) {
    super(message);
  }
}
