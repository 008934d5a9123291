package io.jobengine.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How an attempt ended, written under its lease. Each ends the lease; the job either reaches a
 * final status or goes back to PENDING.
 *
 * @param lease the attempt's lease
 * @param outcome what happened
 * @param error the failure text for FAILURE and RETRY (stores truncate it), else null
 * @param warnings the warnings for WARNING, else empty
 * @param retryDelay for RETRY, how long after now (by the store's clock) the job may run again
 */
public record Completion(
    Lease lease, Outcome outcome, String error, List<String> warnings, Duration retryDelay) {

  /** What an attempt's end does to the job. */
  public enum Outcome {
    /** Ends the job in SUCCESS. */
    SUCCESS,
    /** Ends the job in WARNING, with the warnings stored. */
    WARNING,
    /** Ends the job in FAILURE, with the error stored. */
    FAILURE,
    /** Ends the job in CANCELED. */
    CANCELED,
    /**
     * Back to PENDING after {@code retryDelay}, with the error stored; the attempt stays used. A
     * job whose cancel was requested ends CANCELED instead, with the error stored: a cancel that
     * was reported as requested is never dropped.
     */
    RETRY,
    /**
     * Back to PENDING at once, the attempt given back (shutdown: the job did not fail). A job whose
     * cancel was requested ends CANCELED instead.
     */
    RELEASE
  }

  /**
   * Checks that the fields fit the outcome.
   *
   * @throws IllegalArgumentException if a field the outcome needs is missing
   */
  public Completion {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(outcome, "outcome");
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
    if ((outcome == Outcome.FAILURE || outcome == Outcome.RETRY) && error == null) {
      throw new IllegalArgumentException(outcome + " needs an error");
    }
    if (outcome == Outcome.RETRY) {
      Objects.requireNonNull(retryDelay, "retryDelay");
      if (retryDelay.isNegative()) {
        throw new IllegalArgumentException("retryDelay must not be negative, got " + retryDelay);
      }
    }
  }

  /**
   * @param lease the lease
   * @return a SUCCESS completion
   */
  public static Completion success(Lease lease) {
    return new Completion(lease, Outcome.SUCCESS, null, List.of(), null);
  }

  /**
   * @param lease the lease
   * @param warnings the warnings, at least one
   * @return a WARNING completion
   */
  public static Completion warning(Lease lease, List<String> warnings) {
    if (warnings.isEmpty()) {
      throw new IllegalArgumentException("A WARNING completion needs at least one warning");
    }
    return new Completion(lease, Outcome.WARNING, null, warnings, null);
  }

  /**
   * @param lease the lease
   * @param error the error text
   * @return a FAILURE completion
   */
  public static Completion failure(Lease lease, String error) {
    return new Completion(lease, Outcome.FAILURE, error, List.of(), null);
  }

  /**
   * @param lease the lease
   * @param error the error text
   * @param delay how long until the job may run again
   * @return a RETRY completion
   */
  public static Completion retry(Lease lease, String error, Duration delay) {
    return new Completion(lease, Outcome.RETRY, error, List.of(), delay);
  }

  /**
   * @param lease the lease
   * @return a CANCELED completion
   */
  public static Completion canceled(Lease lease) {
    return new Completion(lease, Outcome.CANCELED, null, List.of(), null);
  }

  /**
   * @param lease the lease
   * @return a RELEASE completion
   */
  public static Completion release(Lease lease) {
    return new Completion(lease, Outcome.RELEASE, null, List.of(), null);
  }
}
