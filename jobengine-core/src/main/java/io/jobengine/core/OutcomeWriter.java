package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.StoreDataException;
import io.jobengine.StoreException;
import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.WriteResult;
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
 * <p><b>Rows locked by others.</b> The store writes the outcomes whose rows nobody else holds
 * locked and reports the others busy ({@link WriteResult#busy()}: an operator's {@code SELECT ...
 * FOR UPDATE}, a handler's transaction still open), without waiting for the lock. A busy outcome
 * is put aside ({@link GroupWriter#offerLater}) and written again after a back-off (doubling from
 * {@value #FIRST_BACKOFF_MILLIS} ms up to {@value #MAX_BACKOFF_MILLIS} ms), while the writer goes
 * on with every other outcome of the node: so a lock costs the locked job only. It is written again
 * for as long as its lease may still hold by the local monotonic clock (the bound store failures
 * have too); past that the writer gives up on it (the reaper puts the job back once the lock is
 * gone, and it runs again). An outcome passed over a second time is logged at WARN, once per job;
 * the first time only at DEBUG, since that may be this node's own lease renewal, which holds the
 * rows of its running jobs for the moment of its transaction (seen in the benchmark: a few
 * outcomes in 50,000).
 *
 * <p>A job whose outcome waits for a row lock is not renewed meanwhile (the lease keeper renews no
 * job whose outcome is claimed): its row is locked by another session, which renewals pass over
 * anyway, and the outcome is written within one back-off of the lock's release. So its local
 * deadline stays where the last renewal left it; past it the reaper may put the job back, and a
 * later write would be refused by the fence, so giving up there loses nothing that could land.
 *
 * <p>When the writer is stopped (shutdown, or an engine stepped by hand, whose writes are made on
 * the caller's thread), a busy outcome is given up on at once, logged the same way.
 *
 * <p>Each line logged about one job carries that job's MDC ({@link JobMdc}), though it is logged
 * on the writer's thread.
 */
final class OutcomeWriter extends GroupWriter<OutcomeWriter.Outcome> {
  private static final Logger log = LoggerFactory.getLogger(OutcomeWriter.class);
  static final long FIRST_BACKOFF_MILLIS = 50;
  static final long MAX_BACKOFF_MILLIS = 2000;
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(FIRST_BACKOFF_MILLIS);
  private static final Duration MAX_BACKOFF = Duration.ofMillis(MAX_BACKOFF_MILLIS);

  /** How much of a refused outcome's text is kept when it is written again cut short. */
  static final int SHRUNK_TEXT_LENGTH = 500;

  /**
   * An outcome to write and whom to tell.
   *
   * @param done told true if the outcome landed, false if it was rejected or given up on
   * @param busyTries how many times the store has passed over it for a row lock so far
   */
  record Outcome(RunningJob job, Completion completion, Consumer<Boolean> done, int busyTries) {
    Outcome(RunningJob job, Completion completion, Consumer<Boolean> done) {
      this(job, completion, done, 0);
    }
  }

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
    if (small != null
        && tryWrite(List.of(new Outcome(o.job(), small, o.done(), o.busyTries()))) == null) {
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
    WriteResult result;
    try {
      result = store.complete(completions);
    } catch (RuntimeException e) {
      return e;
    }
    Set<JobId> rejected = result.rejected();
    for (Outcome o : batch) {
      if (result.busy().contains(o.job().id())) {
        putAside(o);
        continue;
      }
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
        JobMdc.run(o.job(), () -> {
          if (o.busyTries() > 1) {
            log.info(
                "Outcome {} of {} was written once the row lock that held it up was released",
                o.completion().outcome(), o.job());
          }
          logLanded(o.job(), o.completion());
        });
        finish(o, true);
      }
    }
    return null;
  }

  /**
   * An outcome the store passed over because another session holds its job's row locked: put
   * aside for a later batch, after a back-off, if its lease may still hold by then; else given up.
   */
  private void putAside(Outcome o) {
    Duration wait = busyBackoff(o.busyTries());
    if (o.job().leaseValidUntilNanos() - System.nanoTime() <= wait.toNanos()) {
      JobMdc.run(o.job(), () -> log.error(
          "Could not write outcome {} of {}: another session holds its row lock (a SELECT ... FOR"
              + " UPDATE or an open transaction on the job's row), and its lease may run out before"
              + " the next try in {} ms; giving up: once the lock is released the lease reaper puts"
              + " the job back and it runs again",
          o.completion().outcome(), o.job(), wait.toMillis()));
      finish(o, false);
      return;
    }
    Outcome again = new Outcome(o.job(), o.completion(), o.done(), o.busyTries() + 1);
    if (!offerLater(again, wait)) {
      JobMdc.run(o.job(), () -> log.error(
          "Could not write outcome {} of {}: another session holds its row lock, and the engine is"
              + " stopping; giving up: once the lock is released the lease reaper puts the job back"
              + " and it runs again",
          o.completion().outcome(), o.job()));
      finish(o, false);
      return;
    }
    if (o.busyTries() == 0) {
      JobMdc.run(o.job(), () -> log.debug(
          "Outcome {} of {} was passed over for a row lock (this node's lease renewal, or another"
              + " session); next try in {} ms",
          o.completion().outcome(), o.job(), wait.toMillis()));
    } else if (o.busyTries() == 1) {
      JobMdc.run(o.job(), () -> log.warn(
          "Outcome {} of {} is not written yet: another session holds its row lock (a SELECT ..."
              + " FOR UPDATE or an open transaction on the job's row). The node's other outcomes are"
              + " written meanwhile; this one is written again once the lock is released, for as"
              + " long as its lease may hold",
          o.completion().outcome(), o.job()));
    } else {
      JobMdc.run(o.job(), () -> log.debug(
          "Outcome {} of {} is still held up by a row lock ({} tries); next try in {} ms",
          o.completion().outcome(), o.job(), o.busyTries() + 1, wait.toMillis()));
    }
  }

  /** The wait before the next try of an outcome passed over {@code tries} times. */
  static Duration busyBackoff(int tries) {
    long millis = FIRST_BACKOFF_MILLIS << Math.min(tries, 16);
    return Duration.ofMillis(Math.min(millis, MAX_BACKOFF_MILLIS));
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
