package io.jobengine;

/**
 * The store refused the data of a write, not the write itself: a value too large for the
 * database's packet or column, or one the database cannot take. Writing the same data again fails
 * the same way, so it is not retried; a batch that failed this way may hold one bad row among
 * good ones and is split, so that the others land.
 */
public class StoreDataException extends StoreException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what failed, for which job, and what happens next
   * @param cause the underlying failure
   */
  public StoreDataException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * @param message what failed, for which job, and what happens next
   */
  public StoreDataException(String message) {
    super(message);
  }
}
