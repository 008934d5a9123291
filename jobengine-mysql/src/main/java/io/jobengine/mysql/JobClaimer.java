package io.jobengine.mysql;

import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.NewJob;
import java.time.Instant;
import java.util.List;

/**
 * Runs claims with what the store remembers of earlier ones ({@link ClaimMemory}): an idle
 * claimer first probes with a plain read, a busy one resumes where its last claim ended, and jobs
 * this store enqueues or puts back ahead of such a position send the next claim to the queue's
 * start. The SQL is {@link ClaimQueries}'.
 */
final class JobClaimer {

  private final Db db;
  private final JobTables tables;
  private final ClaimMemory memory;

  JobClaimer(Db db, JobTables tables, ClaimMemory memory) {
    this.db = db;
    this.tables = tables;
    this.memory = memory;
  }

  /** Claims up to the request's limit; see {@link MySqlJobStore#claim}. */
  List<ClaimedJob> claim(ClaimRequest request) {
    String operation =
        "claim jobs of queue '" + request.queue() + "' for node '" + request.owner() + "'";
    ClaimMemory.Claimer claimer =
        new ClaimMemory.Claimer(request.owner(), request.queue(), request.types());
    if (memory.idle(claimer)
        && !db.single(operation, null, ctx -> ClaimQueries.anyDue(ctx, tables, request))) {
      return List.of();
    }
    long started = memory.now();
    ClaimMemory.Position from = memory.resumeFrom(claimer);
    ClaimQueries.Claimed claimed =
        db.inTransaction(operation, null, ctx -> ClaimQueries.claim(ctx, tables, request, from));
    memory.claimed(
        claimer, claimed.jobs().size(), request.limit(), claimed.last(), claimed.fromStart(),
        started);
    return claimed.jobs();
  }

  /** A job that sorts before a claimer's resume position makes that claimer read from the start. */
  void enqueued(NewJob job) {
    Instant runAt = job.runAt();
    memory.enqueued(
        job.queue(), job.priority(),
        runAt == null ? null : SqlTime.epochMicros(runAt));
  }

  /** Jobs put back (by the reaper) with their run times sort before where resumed claims start. */
  void putBack() {
    memory.forgetPositions();
  }

  /** What is remembered of claims, for tests in this package. */
  ClaimMemory memory() {
    return memory;
  }
}
