package io.jobengine.core;

import io.jobengine.JobHandler;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.PayloadCodec;
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
import org.slf4j.MDC;

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

  static final String MDC_JOB_ID = "jobengine.jobId";
  static final String MDC_JOB_TYPE = "jobengine.jobType";
  static final String MDC_ATTEMPT = "jobengine.attempt";
  static final String MDC_NODE = "jobengine.node";

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
    String[] previous = {
      MDC.get(MDC_JOB_ID), MDC.get(MDC_JOB_TYPE), MDC.get(MDC_ATTEMPT), MDC.get(MDC_NODE)
    };
    MDC.put(MDC_JOB_ID, running.id().toString());
    MDC.put(MDC_JOB_TYPE, running.job().type());
    MDC.put(MDC_ATTEMPT, Integer.toString(running.job().attempt()));
    MDC.put(MDC_NODE, with.nodeName());
    boolean handedOver = false;
    try {
      handedOver = execute();
    } catch (Throwable t) {
      log.error("Unexpected failure while running {}; the lease reaper will recover the job", running, t);
    } finally {
      restore(MDC_JOB_ID, previous[0]);
      restore(MDC_JOB_TYPE, previous[1]);
      restore(MDC_ATTEMPT, previous[2]);
      restore(MDC_NODE, previous[3]);
      if (!handedOver) {
        with.onDone().accept(running);
      }
    }
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
        log.error("Handler of {} threw an Error; recording it as the attempt's failure", running, t);
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
    Completion completion =
        failure instanceof UndecodablePayload
            ? Completion.failure(running.lease(), OutcomeDecider.describe(failure.getCause()))
            : with.decider().decide(running, failure, ThreadLocalRandom.current().nextDouble());
    with.writer().submit(running, completion, landed -> with.onDone().accept(running));
    return true;
  }

  private <P> void invoke(JobHandler<P> handler, DefaultJobContext context) throws Exception {
    P payload;
    try {
      payload = with.codec().decode(running.job().payload(), handler.payloadType());
    } catch (RuntimeException e) {
      // Retrying cannot fix a payload that does not decode: fail at once.
      throw new UndecodablePayload(e);
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
    log.error(
        "The handler of {} did not stop within {} after its timeout of {}; recording the timeout "
            + "now. Its thread {} stays busy until the handler returns; make the handler respond "
            + "to interrupts or call JobContext.checkpoint()",
        running, grace, running.timeout(), running.threadName());
    with.writer().write(running, with.decider().timedOut(running, ThreadLocalRandom.current().nextDouble()));
  }

  private static void restore(String key, String value) {
    if (value == null) {
      MDC.remove(key);
    } else {
      MDC.put(key, value);
    }
  }

  /** Marks a payload the codec could not read: the job fails without retry. */
  private static final class UndecodablePayload extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UndecodablePayload(RuntimeException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
