package io.jobengine.core;

import io.jobengine.JobHandler;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.PayloadCodec;
import io.jobengine.PayloadException;
import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one attempt on a worker thread: decodes the payload, runs the handler under its timeout,
 * and hands the outcome to the {@link OutcomeWriter}. Never inside a database transaction: the
 * claim (which already made the job RUNNING) was committed before, and each write is its own
 * short one.
 *
 * <p>The outcome goes through a group-commit writer, so many workers share one transaction. The
 * worker does not wait for it: the thread is free for the next job as soon as the outcome is
 * handed over, and the job counts as active on this node until the writer has settled it ({@code
 * onDone} runs then).
 */
final class JobRunner implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(JobRunner.class);

  /** How long a handler gets to stop after its timeout's interrupt before it is given up on. */
  static final Duration MAX_STUCK_GRACE = Duration.ofSeconds(5);

  private final RunningJob running;
  private final Collaborators with;

  /** What every runner of an engine shares. */
  record Collaborators(
      JobStore store,
      PayloadCodec codec,
      Clock clock,
      String nodeName,
      OutcomeDecider decider,
      OutcomeWriter writer,
      ProgressFlusher progress,
      ScheduledExecutorService watchdog,
      ScheduledExecutorService timer,
      java.util.function.Consumer<RunningJob> onDone) {}

  JobRunner(RunningJob running, Collaborators with) {
    this.running = running;
    this.with = with;
  }

  @Override
  public void run() {
    JobMdc mdc = JobMdc.of(running);
    boolean handedOver = false;
    try {
      handedOver = execute();
    } catch (Throwable t) {
      handedOver = handOverAfterEngineFailure(t);
    } finally {
      mdc.close();
      if (!handedOver) {
        with.onDone().accept(running);
      }
    }
  }

  /**
   * The engine itself failed while running the attempt. If nobody has written its outcome yet,
   * write one now, so the job does not wait out its lease.
   *
   * @return true if an outcome was handed to the writer
   */
  private boolean handOverAfterEngineFailure(Throwable t) {
    // The text, not the throwable: a logger would call the methods that may have failed.
    log.error("Unexpected failure while running {}: {}", running, ErrorText.describe(t));
    if (!running.claimOutcome()) {
      return false;
    }
    with.writer().submit(
        running, with.decider().fallback(running, null, t), landed -> with.onDone().accept(running));
    return true;
  }

  /** @return true if the outcome was handed to the writer, which then calls {@code onDone} */
  private boolean execute() {
    Duration timeout = running.timeout();
    Instant deadline = timeout == null ? null : with.clock().instant().plus(timeout);
    TransactionalCompleter completer = new TransactionalCompleter(with.store(), with.progress());
    DefaultJobContext context = new DefaultJobContext(running, with.nodeName(), deadline, completer);
    ScheduledFuture<?> watchdog =
        timeout == null
            ? null
            : with.watchdog().schedule(this::onTimeout, timeout.toNanos(), TimeUnit.NANOSECONDS);
    Throwable failure = null;
    running.enterHandler();
    try {
      invoke(running.handler(), context);
    } catch (Throwable t) {
      failure = t;
      if (t instanceof Error) {
        // The text, not the throwable: a logger would call toString() and getMessage(), which
        // may throw, and walk the causes recursively.
        log.error(
            "Handler of {} threw an Error; recording it as the attempt's failure: {}",
            running, ErrorText.describe(t));
      }
    } finally {
      running.exitHandler();
      if (watchdog != null) {
        watchdog.cancel(false);
      }
    }
    with.progress().flush(running);
    if (completer.endedInTransaction(running)) {
      return false; // committed with the handler's writes: nothing more to write
    }
    if (!running.claimOutcome()) {
      log.warn(
          "The handler of {} returned after the engine had already recorded its outcome "
              + "(timeout or shutdown); this result is dropped",
          running);
      return false;
    }
    Completion completion = decide(failure);
    with.writer().submit(running, completion, landed -> with.onDone().accept(running));
    return true;
  }

  /** The attempt's outcome; never throws, so that an outcome is always written. */
  private Completion decide(Throwable failure) {
    try {
      return failure instanceof UndecodablePayload
          ? Completion.failure(running.lease(), failure.getMessage())
          : with.decider().decide(running, failure, ThreadLocalRandom.current().nextDouble());
    } catch (RuntimeException | Error e) {
      log.error(
          "Could not decide the outcome of {} ({}); writing a fallback outcome",
          running, ErrorText.headline(e));
      return with.decider().fallback(running, failure, e);
    }
  }

  private <P> void invoke(JobHandler<P> handler, DefaultJobContext context) throws Exception {
    P payload;
    try {
      payload = with.codec().decode(running.job().payload(), handler.payloadType());
    } catch (RuntimeException e) {
      // Retrying cannot fix a payload that does not decode: fail at once.
      throw new UndecodablePayload(e, handler.payloadType());
    }
    handler.run(payload, context);
  }

  /** On the watchdog thread, which must never block: asks the handler to stop. */
  private void onTimeout() {
    if (running.handlerDone()) {
      return;
    }
    running.requestStop(Reason.TIMED_OUT);
    Duration grace = running.timeout().compareTo(MAX_STUCK_GRACE) < 0 ? running.timeout() : MAX_STUCK_GRACE;
    with.timer().schedule(() -> giveUpIfStuck(grace), grace.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * A handler that ignores the timeout's interrupt: record the timeout without waiting for it. On
   * the timer thread, since the write may wait for the store.
   */
  private void giveUpIfStuck(Duration grace) {
    if (running.handlerDone() || !running.claimOutcome()) {
      return;
    }
    JobMdc.run(running, () -> recordStuckTimeout(grace));
  }

  private void recordStuckTimeout(Duration grace) {
    log.error(
        "The handler of {} did not stop within {} after its timeout of {}; recording the timeout "
            + "now. Its thread {} stays busy until the handler returns; make the handler respond "
            + "to interrupts or call JobContext.checkpoint()",
        running, grace, running.timeout(), running.threadName());
    Completion completion;
    try {
      completion = with.decider().timedOut(running, ThreadLocalRandom.current().nextDouble());
    } catch (RuntimeException e) {
      completion = with.decider().fallback(running, null, e);
    }
    with.writer().write(running, completion);
  }

  /**
   * Marks a payload the codec could not read: the job fails without retry. Its message is the
   * stored error: the codec's {@link PayloadException} message, which the {@link PayloadCodec}
   * contract keeps free of payload values, and no stack trace, whose causes could quote them
   * (JSON libraries' messages do). Of any other exception only the class is named.
   */
  private static final class UndecodablePayload extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UndecodablePayload(RuntimeException cause, Class<?> payloadType) {
      super(
          cause instanceof PayloadException && cause.getMessage() != null
              ? cause.getMessage()
              : "Cannot read the payload as " + payloadType.getName() + ": the codec threw "
                  + cause.getClass().getName() + " (its message is left out: it may quote the payload)",
          null, false, false);
    }
  }
}
