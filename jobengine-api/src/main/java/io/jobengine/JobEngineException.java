package io.jobengine;

/** The root of every exception that jobengine throws on its own account. Unchecked. */
public class JobEngineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message that says what went wrong, with which value, and what to do.
   *
   * @param message the message
   */
  public JobEngineException(String message) {
    super(message);
  }

  /**
   * An exception caused by another.
   *
   * @param message the message
   * @param cause the cause
   */
  public JobEngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
