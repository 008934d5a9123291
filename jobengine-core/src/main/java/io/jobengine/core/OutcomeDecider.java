package io.jobengine.core;

import io.jobengine.JobStoppedException.Reason;
import io.jobengine.RetryPolicy;
import io.jobengine.spi.Completion;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;

/**
 * Turns how an attempt ended into the {@link Completion} to write: the engine's retry and stop
 * rules in one place.
 *
 * <ul>
 *   <li>A handler that returns normally, unasked to stop: SUCCESS, or WARNING if it warned.
 *   <li>Once the engine has asked the attempt to stop, the handler's return, normal or not, is
 *       taken as having stopped as asked (the engine cannot tell a finished job from one that
 *       returned early on the interrupt): cancel ends CANCELED; timeout retries or fails as the
 *       policy allows; shutdown and a lost lease release the job without using up the attempt
 *       (a lost lease's release is rejected by fencing when another node has the job).
 *   <li>A handler that completed the job in its own transaction and returned without that
 *       transaction committing: RETRY or FAILURE as for a failure (see {@link
 *       TransactionalCompleter}; one whose commit landed needs no outcome).
 *   <li>A handler that throws: RETRY after the policy's backoff if the failure is retryable and
 *       attempts are left, else FAILURE. An {@link Error} is a failure like any other.
 * </ul>
 */
final class OutcomeDecider {
  /** Stored errors are cut to this many characters; the store may cut them further. */
  static final int MAX_ERROR_CHARS = 8000;

  private final RetryPolicy defaultPolicy;

  OutcomeDecider(RetryPolicy defaultPolicy) {
    this.defaultPolicy = defaultPolicy;
  }

  RetryPolicy policyFor(RunningJob running) {
    return running.handler().retryPolicy().orElse(defaultPolicy);
  }

  /**
   * @param failure what the handler threw, or null if it returned
   * @param random a number in [0, 1) for the backoff's jitter
   */
  Completion decide(RunningJob running, Throwable failure, double random) {
    Reason reason = running.stopReason();
    if (reason != null) {
      return switch (reason) {
        case CANCELED -> Completion.canceled(running.lease());
        case TIMED_OUT -> timedOut(running, random);
        case SHUTDOWN, LEASE_LOST -> Completion.release(running.lease());
      };
    }
    if (failure == null) {
      if (running.completedInTransaction() != null) {
        return notCommitted(running, random); // the engine read it back: not committed
      }
      List<String> warnings = running.warnings();
      return warnings.isEmpty()
          ? Completion.success(running.lease())
          : Completion.warning(running.lease(), warnings);
    }
    return failed(running, describe(failure), policyFor(running).isRetryable(failure), random);
  }

  /** The outcome of an attempt that ran past its timeout. */
  Completion timedOut(RunningJob running, double random) {
    String error =
        "timed out after " + running.timeout() + " (attempt " + running.job().attempt() + " of "
            + running.job().maxAttempts() + ")";
    return failed(running, error, true, random);
  }

  /**
   * The outcome of an attempt whose handler completed the job in its own transaction, returned
   * normally, and did not commit: a failure, retried while attempts are left.
   */
  Completion notCommitted(RunningJob running, double random) {
    String error =
        "the handler completed the job in its own transaction (JobContext.completeInTransaction)"
            + " and returned, but that transaction did not commit: the handler rolled it back or"
            + " returned without committing (attempt " + running.job().attempt() + " of "
            + running.job().maxAttempts() + ")";
    return failed(running, error, true, random);
  }

  private Completion failed(RunningJob running, String error, boolean retryable, double random) {
    int attempt = running.job().attempt();
    if (retryable && attempt < running.job().maxAttempts()) {
      Duration delay = policyFor(running).delayAfter(attempt, random);
      return Completion.retry(running.lease(), error, delay);
    }
    return Completion.failure(running.lease(), error);
  }

  /** The failure's stack trace, cut to {@link #MAX_ERROR_CHARS}. */
  static String describe(Throwable failure) {
    StringWriter text = new StringWriter();
    failure.printStackTrace(new PrintWriter(text));
    String s = text.toString().stripTrailing();
    return s.length() <= MAX_ERROR_CHARS ? s : s.substring(0, MAX_ERROR_CHARS - 15) + "\n... (truncated)";
  }
}
