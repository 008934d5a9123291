package io.jobengine.core;

import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the outcome of an attempt, fenced by its lease. A store failure is retried with back-off
 * for as long as the lease may still be live; after that the write is pointless (the reaper will
 * put the job back) and the engine gives up on it. A rejected write is never retried: the lease
 * was lost and a newer attempt owns the job.
 */
final class OutcomeWriter {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final JobStore store;

  OutcomeWriter(JobStore store) {
    this.store = store;
  }

  /** @return true if the outcome landed */
  boolean write(RunningJob running, Completion completion) {
    Duration backoff = FIRST_BACKOFF;
    while (true) {
      try {
        Set<?> rejected = store.complete(List.of(completion));
        if (rejected.contains(running.id())) {
          log.warn(
              "Outcome {} of {} was rejected: this node no longer holds its lease (token {}); "
                  + "another attempt owns the job, so this result is dropped",
              completion.outcome(), running, running.lease().token());
          return false;
        }
        logLanded(running, completion);
        return true;
      } catch (RuntimeException e) {
        if (System.nanoTime() - running.leaseValidUntilNanos() >= 0) {
          log.error(
              "Could not write outcome {} of {} before its lease ran out; the job will be put back "
                  + "by the lease reaper and run again",
              completion.outcome(), running, e);
          return false;
        }
        log.warn(
            "Could not write outcome {} of {}; retrying in {} ms: {}",
            completion.outcome(), running, backoff.toMillis(), e.toString());
        try {
          TimeUnit.NANOSECONDS.sleep(backoff.toNanos());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          log.warn("Interrupted while writing outcome {} of {}; giving up", completion.outcome(), running);
          return false;
        }
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
      }
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
