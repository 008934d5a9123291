package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.StoreDataException;
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
 * <p>A store failure is retried with back-off only while each job's lease, by the local monotonic
 * clock, outlasts the wait before the next try; past that the write is pointless (the reaper will
 * put the job back) and the engine gives up on that job. A batch the store refuses for what its
 * rows hold ({@link StoreDataException}: a packet or a value too large, say) or as malformed (an
 * {@link IllegalArgumentException} or {@link IllegalStateException}) is not retried whole: it is
 * split in halves, again and again, so one bad outcome cannot hold back the others. A single
 * outcome whose data the store refuses is written once more with its texts cut short.
 *
 * <p>Each line logged about one job carries that job's MDC ({@link JobMdc}), though it is logged
 * on the writer's thread.
 */
final class OutcomeWriter extends GroupWriter<OutcomeWriter.Outcome> {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(50);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  /** How much of a refused outcome's text is kept when it is written again cut short. */
  static final int SHRUNK_TEXT_LENGTH = 500;

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
      if (left.size() > 1 && refusedForItsRows(failure)) {
        split(left, failure);
        return;
      }
      if (left.size() == 1 && cannotBeWritten(failure)) {
        writeShrunk(left.get(0), failure);
        return;
      }
      List<Outcome> retry = new ArrayList<>(left.size());
      long now = System.nanoTime();
      for (Outcome o : left) {
        if (o.job().leaseValidUntilNanos() - now <= backoff.toNanos()) {
          // The next try would come when the lease may have run out: pointless, and the reaper
          // may already have given the job to another node.
          Duration wait = backoff;
          JobMdc.run(o.job(), () -> log.error(
              "Could not write outcome {} of {}, and its lease may run out before the next try in"
                  + " {} ms; giving up: the lease reaper will put the job back and it runs again",
              o.completion().outcome(), o.job(), wait.toMillis(), failure));
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

  /**
   * Whether the store refused the batch for what some of its rows hold rather than for a
   * transient reason: data it cannot take ({@link StoreDataException}), or a batch it finds
   * malformed (an {@link IllegalArgumentException} or {@link IllegalStateException}). The same
   * batch would fail again; its halves may not.
   */
  private static boolean refusedForItsRows(RuntimeException failure) {
    return failure instanceof StoreDataException || !(failure instanceof StoreException);
  }

  /** Whether writing this one outcome again cannot help. */
  private static boolean cannotBeWritten(RuntimeException failure) {
    return failure instanceof StoreDataException || failure instanceof IllegalArgumentException;
  }

  /**
   * Writes the two halves of a batch the store refused for one of its rows, each on its own (and
   * split again if need be), so that the good rows land: about 2 log2(n) calls for one bad row.
   */
  private void split(List<Outcome> batch, RuntimeException failure) {
    log.warn(
        "The store refused a batch of {} outcomes for the data of some of them ({}); splitting it"
            + " so that the others land",
        batch.size(), failure.toString());
    int half = batch.size() / 2;
    write(List.copyOf(batch.subList(0, half)));
    write(List.copyOf(batch.subList(half, batch.size())));
  }

  /**
   * One outcome whose data the store refuses: write it once more with its texts cut to a short
   * note, so the job still ends as it should; else give up (the reaper puts the job back).
   */
  private void writeShrunk(Outcome o, RuntimeException failure) {
    Completion small = shrunk(o.completion(), failure);
    if (small != null && tryWrite(List.of(new Outcome(o.job(), small, o.done()))) == null) {
      JobMdc.run(o.job(), () -> log.warn(
          "The store refused the texts of outcome {} of {} ({}); it was written with them cut "
              + "short", o.completion().outcome(), o.job(), failure.toString()));
      return;
    }
    JobMdc.run(o.job(), () -> log.error(
        "The store refused outcome {} of {} for its data, which writing it again cannot change;"
            + " giving up: the lease reaper will put the job back when its lease expires",
        o.completion().outcome(), o.job(), failure));
    finish(o, false);
  }

  /** The completion with its error and warnings cut to a short note; null if it has none. */
  static Completion shrunk(Completion c, RuntimeException failure) {
    String note = "(cut short: the store refused the full text: " + failure.getClass().getSimpleName() + ")";
    return switch (c.outcome()) {
      case WARNING -> Completion.warning(
          c.lease(), List.of(Texts.cut(c.warnings().get(0), SHRUNK_TEXT_LENGTH) + " " + note));
      case FAILURE -> Completion.failure(c.lease(), Texts.cut(c.error(), SHRUNK_TEXT_LENGTH) + " " + note);
      case RETRY -> Completion.retry(
          c.lease(), Texts.cut(c.error(), SHRUNK_TEXT_LENGTH) + " " + note, c.retryDelay());
      case SUCCESS, CANCELED, RELEASE -> null;
    };
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
        JobMdc.run(o.job(), () -> log.info(
            "Outcome {} of {} was rejected by its lease (token {}): its handler had completed the"
                + " job in its own transaction, whose commit (or a newer attempt) owns the job now",
            o.completion().outcome(), o.job(), o.job().lease().token()));
        finish(o, false);
        continue;
      }
      if (rejected.contains(o.job().id())) {
        JobMdc.run(o.job(), () -> log.warn(
            "Outcome {} of {} was rejected: this node no longer holds its lease (token {}); "
                + "another attempt owns the job, so this result is dropped",
            o.completion().outcome(), o.job(), o.job().lease().token()));
        finish(o, false);
      } else {
        JobMdc.run(o.job(), () -> logLanded(o.job(), o.completion()));
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
