package io.jobengine.core;

import io.jobengine.JobStoppedException.Reason;
import io.jobengine.RetryPolicy;
import io.jobengine.spi.Completion;
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
  /** The wait before the next attempt when even the engine's default policy cannot say. */
  static final Duration FALLBACK_DELAY = Duration.ofSeconds(1);

  private final RetryPolicy defaultPolicy;
  private final HandlerRegistry handlers;

  OutcomeDecider(RetryPolicy defaultPolicy, HandlerRegistry handlers) {
    this.defaultPolicy = defaultPolicy;
    this.handlers = handlers;
  }

  /** The policy of the job's handler as read at start, else the engine's. */
  RetryPolicy policyFor(RunningJob running) {
    return handlers.policy(running.job().type()).orElse(defaultPolicy);
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
    return failed(running, ErrorText.describe(failure), policyFor(running).isRetryable(failure), random);
  }

  /**
   * The outcome when {@link #decide} itself threw (a handler's retry policy that throws, say): the
   * attempt must still end, so it is retried under the engine's default policy while attempts are
   * left, else failed, with an error that names both throwables' classes.
   *
   * @param failure what the handler threw, or null if it returned
   * @param decideFailure what deciding threw
   */
  Completion fallback(RunningJob running, Throwable failure, Throwable decideFailure) {
    String error =
        (failure == null ? "the handler returned" : ErrorText.headline(failure))
            + "\n(the engine could not decide this attempt's outcome: "
            + ErrorText.headline(decideFailure) + "; retrying under the engine's default policy)";
    int attempt = running.job().attempt();
    if (attempt >= running.job().maxAttempts()) {
      return Completion.failure(running.lease(), error);
    }
    Duration delay;
    try {
      delay = defaultPolicy.delayAfter(attempt, 0.5);
    } catch (RuntimeException e) {
      delay = FALLBACK_DELAY;
    }
    return Completion.retry(running.lease(), error, delay);
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
}
