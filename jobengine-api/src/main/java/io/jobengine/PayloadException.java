package io.jobengine;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A payload could not be written or read: the codec failed, or the encoded payload is larger than
 * the store accepts. Thrown at enqueue, before anything is written, or when a job's payload cannot
 * be decoded for its handler (the job then fails without retry).
 *
 * <p>Its message never holds a payload value: it is stored as the job's error and logged. A codec
 * whose library quotes values in its exceptions (JSON libraries do) wraps them with {@link
 * #withSanitizedCause}.
 */
public class PayloadException extends JobEngineException {
  private static final long serialVersionUID = 1L;

  /** How many causes of a chain {@link #withSanitizedCause} keeps. */
  static final int MAX_SANITIZED_CAUSES = 10;

  /**
   * @param message what is wrong with which payload; no payload value
   */
  public PayloadException(String message) {
    super(message);
  }

  /**
   * @param message what is wrong with which payload; no payload value
   * @param cause the codec's exception; its message must hold no payload value either (else use
   *     {@link #withSanitizedCause})
   */
  public PayloadException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * An exception whose cause chain keeps each throwable's class and stack trace but none of their
   * messages, which may quote the payload. For codecs: the stack trace still shows where the
   * library failed.
   *
   * @param message what is wrong with which payload; no payload value
   * @param cause the library's exception
   * @return the exception, its causes replaced by stand-ins (at most {@value
   *     #MAX_SANITIZED_CAUSES})
   */
  public static PayloadException withSanitizedCause(String message, Throwable cause) {
    return new PayloadException(message, sanitized(cause));
  }

  private static Throwable sanitized(Throwable cause) {
    if (cause == null) {
      return null;
    }
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    SanitizedCause first = null;
    SanitizedCause last = null;
    for (Throwable t = cause; t != null && seen.add(t) && seen.size() <= MAX_SANITIZED_CAUSES;
        t = t.getCause()) {
      SanitizedCause standIn = new SanitizedCause(t);
      if (first == null) {
        first = standIn;
      } else {
        last.initCause(standIn);
      }
      last = standIn;
    }
    return first;
  }

  /** Stands in for a library's exception: its class name and stack trace, without its message. */
  private static final class SanitizedCause extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SanitizedCause(Throwable original) {
      super(original.getClass().getName() + " (its message is left out: it may quote the payload)");
      setStackTrace(original.getStackTrace());
    }

    @Override
    public String toString() {
      return getMessage();
    }
  }
}
