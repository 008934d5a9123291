package io.jobengine;

/**
 * A payload could not be written or read: the codec failed, or the encoded payload is larger than
 * the store accepts. Thrown at enqueue, before anything is written, or when a job's payload cannot
 * be decoded for its handler (the job then fails without retry).
 */
public class PayloadException extends JobEngineException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what is wrong with which payload
   */
  public PayloadException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong with which payload
   * @param cause the codec's exception
   */
  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }
}
