package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks attempts RUNNING, in batches: every worker that is about to start a handler hands its
 * lease here and waits, and all leases that arrived meanwhile go to the store in one {@link
 * JobStore#markRunning} call. Each job's fence is still checked on its own: the store returns the
 * ids whose lease was not live, and only those workers are told not to run.
 */
final class StartWriter extends GroupWriter<StartWriter.Start> {
  private static final Logger log = LoggerFactory.getLogger(StartWriter.class);

  /** What the start write found. */
  enum Result {
    /** The job is RUNNING (or TO_CANCEL) under this lease. */
    STARTED,
    /** The lease was not live: the handler must not run. */
    REJECTED,
    /** The store failed; the job is still leased to us, and the outcome write will tell. */
    UNKNOWN
  }

  record Start(RunningJob job, CompletableFuture<Result> result) {}

  private final JobStore store;

  StartWriter(JobStore store, String nodeName) {
    super(nodeName, "starts", "start marks");
    this.store = store;
  }

  /**
   * Starts marking the jobs of one claim RUNNING, in one batch; each job's worker then waits for
   * its answer with {@link #await}. The dispatcher calls this right after the claim, so a start
   * batch is at least a claim's worth of jobs, however the workers' threads are scheduled.
   */
  void markAll(List<RunningJob> jobs) {
    List<Start> starts = new ArrayList<>(jobs.size());
    for (RunningJob job : jobs) {
      CompletableFuture<Result> result = new CompletableFuture<>();
      job.startResult(result);
      starts.add(new Start(job, result));
    }
    if (!offerAll(starts)) {
      write(starts);
    }
  }

  /** Marks the job RUNNING and waits for the answer. */
  Result mark(RunningJob job) {
    markAll(List.of(job));
    return await(job);
  }

  /**
   * Waits for the answer to the job's start mark; marks it first if nobody has. Never
   * interrupted: waits out interrupts, then restores the flag.
   */
  Result await(RunningJob job) {
    CompletableFuture<Result> result = job.startResult();
    if (result == null) {
      return mark(job);
    }
    Start start = new Start(job, result);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return start.result().get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          return Result.UNKNOWN;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  void write(List<Start> batch) {
    List<Lease> leases = new ArrayList<>(batch.size());
    batch.forEach(s -> leases.add(s.job().lease()));
    Set<JobId> rejected;
    try {
      rejected = store.markRunning(leases);
    } catch (RuntimeException e) {
      log.warn("Could not mark {} job(s) as RUNNING; running them anyway: {}", batch.size(), e.toString());
      batch.forEach(s -> s.result().complete(Result.UNKNOWN));
      return;
    }
    for (Start s : batch) {
      s.result().complete(rejected.contains(s.job().id()) ? Result.REJECTED : Result.STARTED);
    }
  }
}
