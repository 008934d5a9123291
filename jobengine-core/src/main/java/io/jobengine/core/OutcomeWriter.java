package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.StoreException;
import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcomes of attempts, fenced by their leases, in batches: all outcomes handed in while
 * the previous {@link JobStore#complete} call was in flight go in the next one (see {@link
 * GroupWriter}). Each job's fence is still checked on its own: a rejected outcome means the lease
 * was lost and a newer attempt owns the job; it is logged and dropped, never retried.
 *
 * <p>A store failure is retried with back-off for as long as each job's lease may still be live;
 * after that the write is pointless (the reaper will put the job back) and the engine gives up on
 * that job. A batch the store refuses as malformed (an {@link IllegalArgumentException} or {@link
 * IllegalStateException}, not a store failure) is written again job by job, so one bad outcome
 * cannot hold back the others.
 */
final class OutcomeWriter extends GroupWriter<OutcomeWriter.Outcome> {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /**
   * An outcome to write and whom to tell.
   *
   * @param done told true if the outcome landed, false if it was rejected or given up on
   */
  record Outcome(RunningJob job, Completion completion, Consumer<Boolean> done) {}

  private final JobStore store;

  OutcomeWriter(JobStore store, String nodeName) {
    super(nodeName, "outcomes", "outcomes");
    this.store = store;
  }

  /** Queues the outcome; {@code done} is told, on the writer's thread, how it went. */
  void submit(RunningJob job, Completion completion, Consumer<Boolean> done) {
    Outcome outcome = new Outcome(job, completion, done);
    if (!offer(outcome)) {
      write(List.of(outcome));
    }
  }

  /**
   * Writes the outcome and waits for it; for the timeout watchdog and shutdown.
   *
   * @return true if the outcome landed
   */
  boolean write(RunningJob job, Completion completion) {
    CompletableFuture<Boolean> landed = new CompletableFuture<>();
    submit(job, completion, landed::complete);
    try {
      return landed.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("Interrupted while waiting for outcome {} of {} to be written", completion.outcome(), job);
      return false;
    } catch (ExecutionException e) {
      return false;
    }
  }

  @Override
  void write(List<Outcome> batch) {
    List<Outcome> left = batch;
    Duration backoff = FIRST_BACKOFF;
    while (!left.isEmpty()) {
      RuntimeException failure = tryWrite(left);
      if (failure == null) {
        return;
      }
      if (!(failure instanceof StoreException) && left.size() > 1) {
        log.warn(
            "The store refused a batch of {} outcomes ({}); writing them one by one",
            left.size(), failure.toString());
        for (Outcome o : left) {
          write(List.of(o));
        }
        return;
      }
      List<Outcome> retry = new ArrayList<>(left.size());
      long now = System.nanoTime();
      for (Outcome o : left) {
        if (now - o.job().leaseValidUntilNanos() >= 0) {
          log.error(
              "Could not write outcome {} of {} before its lease ran out; the job will be put back "
                  + "by the lease reaper and run again",
              o.completion().outcome(), o.job(), failure);
          finish(o, false);
        } else {
          retry.add(o);
        }
      }
      if (retry.isEmpty()) {
        return;
      }
      log.warn(
          "Could not write {} outcome(s) (first: {} of {}); retrying in {} ms: {}",
          retry.size(), retry.get(0).completion().outcome(), retry.get(0).job(), backoff.toMillis(),
          failure.toString());
      if (!sleep(backoff)) {
        log.warn("Interrupted while writing {} outcome(s); giving up on them", retry.size());
        retry.forEach(o -> finish(o, false));
        return;
      }
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      left = retry;
    }
  }

  /** One store call for {@code batch}; null if it answered, else the failure (nobody told yet). */
  private RuntimeException tryWrite(List<Outcome> batch) {
    List<Completion> completions = new ArrayList<>(batch.size());
    batch.forEach(o -> completions.add(o.completion()));
    Set<JobId> rejected;
    try {
      rejected = store.complete(completions);
    } catch (RuntimeException e) {
      return e;
    }
    for (Outcome o : batch) {
      if (rejected.contains(o.job().id()) && o.job().completedInTransaction() != null) {
        log.info(
            "Outcome {} of {} was rejected by its lease (token {}): its handler had completed the"
                + " job in its own transaction, whose commit (or a newer attempt) owns the job now",
            o.completion().outcome(), o.job(), o.job().lease().token());
        finish(o, false);
        continue;
      }
      if (rejected.contains(o.job().id())) {
        log.warn(
            "Outcome {} of {} was rejected: this node no longer holds its lease (token {}); "
                + "another attempt owns the job, so this result is dropped",
            o.completion().outcome(), o.job(), o.job().lease().token());
        finish(o, false);
      } else {
        logLanded(o.job(), o.completion());
        finish(o, true);
      }
    }
    return null;
  }

  private static void finish(Outcome o, boolean landed) {
    try {
      o.done().accept(landed);
    } catch (RuntimeException e) {
      log.error("Unexpected failure after writing the outcome of {}", o.job(), e);
    }
  }

  private static void logLanded(RunningJob running, Completion c) {
    switch (c.outcome()) {
      case SUCCESS -> log.debug("{} succeeded", running);
      case WARNING -> log.info("{} finished with warnings: {}", running, c.warnings());
      case RETRY -> log.info(
          "{} failed and will be retried in {}: {}", running, c.retryDelay(), firstLine(c.error()));
      case FAILURE -> log.warn("{} failed for good: {}", running, firstLine(c.error()));
      case CANCELED -> log.info("{} was canceled", running);
      case RELEASE -> log.info("{} was released and will run again", running);
    }
  }

  private static String firstLine(String error) {
    int nl = error.indexOf('\n');
    return nl < 0 ? error : error.substring(0, nl);
  }
}
