package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.READ_CREATED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LEASE_EXPIRES_AT;
import static io.jobengine.mysql.JobTables.LEASE_OWNER;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.MAX_ATTEMPTS;
import static io.jobengine.mysql.JobTables.PAYLOAD;
import static io.jobengine.mysql.JobTables.PRIORITY;
import static io.jobengine.mysql.JobTables.QUEUE;
import static io.jobengine.mysql.JobTables.RUN_AT;
import static io.jobengine.mysql.JobTables.STARTED_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.TIMEOUT_MICROS;
import static io.jobengine.mysql.JobTables.TYPE;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static io.jobengine.mysql.JobTables.WARNINGS;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.Lease;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;

/**
 * The claim: in one short READ COMMITTED transaction,
 *
 * <pre>
 * SELECT ... FROM job
 *  WHERE queue = ? AND status = 'PENDING' AND run_at &lt;= UTC_TIMESTAMP(6) AND type IN (...)
 *  ORDER BY priority, run_at, id LIMIT ? FOR UPDATE SKIP LOCKED;
 * UPDATE job SET status = 'RUNNING', lease_owner = ?, lease_token = lease_token + 1,
 *        attempt = attempt + 1, lease_expires_at = UTC_TIMESTAMP(6) + INTERVAL ? MICROSECOND,
 *        max_attempts = COALESCE(max_attempts, CASE type WHEN ? THEN ? ... END),
 *        started_at = UTC_TIMESTAMP(6) ...
 *  WHERE id IN (...);
 * </pre>
 *
 * A job enqueued without max attempts (NULL) gets those of the claiming node's handler for its
 * type, from the request, in the claim's own UPDATE: from then on the row holds a number, which
 * the reaper compares with the attempt.
 *
 * The index {@code claim (queue, status, priority, run_at, id)} serves the equality on queue and
 * status and hands rows over in ORDER BY order, so the scan stops after {@code limit} due rows of
 * the requested types, with no sort. {@code SKIP LOCKED} passes over rows another claimer holds
 * instead of waiting for it, so concurrent claimers split the queue instead of queueing behind one
 * another. The rows stay locked until commit, so the UPDATE by primary key changes exactly them,
 * and the new token and attempt are the ones read plus one.
 */
final class ClaimQueries {

  /** The run time as microseconds, for the claim's {@link ClaimMemory.Position}. */
  private static final Field<Long> DUE_MICROS = SqlTime.read(RUN_AT, "due_micros");

  private static final List<Field<?>> CLAIM_COLUMNS =
      List.of(
          ID, TYPE, QUEUE, PAYLOAD, ATTEMPT, MAX_ATTEMPTS, TIMEOUT_MICROS, PRIORITY, READ_CREATED_AT,
          LEASE_TOKEN, DUE_MICROS);

  /** The claim's ORDER BY, for rows already read. */
  private static final Comparator<Record> CLAIM_ORDER =
      Comparator.<Record, Integer>comparing(r -> r.get(PRIORITY))
          .thenComparing(r -> r.get(DUE_MICROS))
          .thenComparing(r -> r.get(ID), Arrays::compareUnsigned);

  /** The name of the index that serves claims (see the schema). */
  static final String CLAIM_INDEX = "claim";

  /**
   * What a claim got.
   *
   * @param jobs the claimed jobs, in claim order
   * @param last the position of the last one, or null if none
   * @param fromStart whether the claim read the queue from its start
   */
  record Claimed(List<ClaimedJob> jobs, ClaimMemory.Position last, boolean fromStart) {}

  private ClaimQueries() {}

  /** The SELECT of a claim that reads the queue from its start; also what the EXPLAIN test inspects. */
  static ResultQuery<Record> selectDue(DSLContext ctx, JobTables t, ClaimRequest request) {
    return selectDue(ctx, t, request, request.limit(), List.of());
  }

  private static ResultQuery<Record> selectDue(
      DSLContext ctx, JobTables t, ClaimRequest request, int limit, List<byte[]> except) {
    return ctx.select(CLAIM_COLUMNS)
        .from(t.job)
        .where(QUEUE.eq(request.queue()))
        .and(STATUS.eq(JobStatus.PENDING.name()))
        .and(RUN_AT.le(SqlTime.now()))
        .and(TYPE.in(request.types()))
        .and(except.isEmpty() ? DSL.noCondition() : ID.notIn(except))
        .orderBy(PRIORITY, RUN_AT, ID)
        .limit(limit)
        .forUpdate()
        .skipLocked();
  }

  /**
   * The SELECT of a resumed claim: the same filter and order, restricted to the range of the claim
   * index from {@code from} to now at its priority, so it starts where the claimer's last claim
   * ended. The index is forced because MariaDB otherwise reads it by (queue, status, priority)
   * from the start of that priority and filters the run time row by row, which is what resuming
   * avoids; given the index it reads the range. Rows at {@code from}'s own run time are read
   * again; they are few, and SKIP LOCKED and the status filter pass over those already claimed.
   */
  static ResultQuery<Record> selectDueFrom(
      DSLContext ctx, JobTables t, ClaimRequest request, ClaimMemory.Position from) {
    return ctx.select(CLAIM_COLUMNS)
        .from(t.job.forceIndex(CLAIM_INDEX))
        .where(QUEUE.eq(request.queue()))
        .and(STATUS.eq(JobStatus.PENDING.name()))
        .and(PRIORITY.eq(from.priority()))
        .and(RUN_AT.between(SqlTime.atEpochMicros(from.runAtMicros()), SqlTime.now()))
        .and(TYPE.in(request.types()))
        .orderBy(PRIORITY, RUN_AT, ID)
        .limit(request.limit())
        .forUpdate()
        .skipLocked();
  }

  /** {@code CASE type WHEN ? THEN ? ... END}: the claimer's max attempts for each type, bound. */
  private static Field<Integer> maxAttemptsByType(ClaimRequest request) {
    var byType = request.maxAttempts().entrySet().iterator();
    var first = byType.next();
    var choice = DSL.choose(TYPE).when(first.getKey(), DSL.val(first.getValue(), MAX_ATTEMPTS));
    while (byType.hasNext()) {
      var next = byType.next();
      choice = choice.when(next.getKey(), DSL.val(next.getValue(), MAX_ATTEMPTS));
    }
    return choice;
  }

  /**
   * Whether some job is due for the request: the claim's filter, one row, no locks. Served by the
   * claim index like the claim itself.
   */
  static boolean anyDue(DSLContext ctx, JobTables t, ClaimRequest request) {
    return ctx.fetchExists(
        ctx.selectOne()
            .from(t.job)
            .where(QUEUE.eq(request.queue()))
            .and(STATUS.eq(JobStatus.PENDING.name()))
            .and(RUN_AT.le(SqlTime.now()))
            .and(TYPE.in(request.types())));
  }

  /**
   * Claims up to the request's limit: from {@code from} on if given, and from the start of the
   * queue for whatever that range did not hold.
   */
  static Claimed claim(
      DSLContext ctx, JobTables t, ClaimRequest request, ClaimMemory.Position from) {
    List<Record> due = new ArrayList<>(request.limit());
    boolean fromStart = from == null;
    if (from != null) {
      due.addAll(selectDueFrom(ctx, t, request, from).fetch());
    }
    if (due.size() < request.limit()) {
      // Rows this transaction already holds are not skipped by SKIP LOCKED: leave them out.
      List<byte[]> held = new ArrayList<>(due.size());
      due.forEach(r -> held.add(r.get(ID)));
      due.addAll(selectDue(ctx, t, request, request.limit() - due.size(), held).fetch());
      fromStart = true;
    }
    if (due.isEmpty()) {
      return new Claimed(List.of(), null, fromStart);
    }
    // Where the next claim may resume: the last row read, which after a read from the start is
    // the furthest that read got (every due row before it is now claimed or held by another).
    Record last = due.get(due.size() - 1);
    if (fromStart && from != null) {
      // Rows from the start may sort before the resumed ones: hand them over in claim order.
      due.sort(CLAIM_ORDER);
    }
    List<byte[]> ids = new ArrayList<>(due.size());
    for (Record r : due) {
      ids.add(r.get(ID));
    }
    // The claimer starts every job it claims at once: RUNNING, with its start time.
    int updated =
        ctx.update(t.job)
            .set(STATUS, JobStatus.RUNNING.name())
            .set(LEASE_OWNER, request.owner())
            .set(LEASE_TOKEN, LEASE_TOKEN.plus(1L))
            .set(ATTEMPT, ATTEMPT.plus(1))
            .set(WARNINGS, (String) null) // a new attempt reports its own warnings
            .set(LEASE_EXPIRES_AT, SqlTime.nowPlus(request.leaseDuration()))
            .set(MAX_ATTEMPTS, DSL.coalesce(MAX_ATTEMPTS, maxAttemptsByType(request)))
            .set(STARTED_AT, SqlTime.now())
            .set(UPDATED_AT, SqlTime.now())
            .where(ID.in(ids))
            .execute();
    if (updated != ids.size()) {
      throw new IllegalStateException(
          "Claimed " + ids.size() + " rows of " + t.jobTableName() + " under FOR UPDATE but the"
              + " UPDATE changed " + updated + "; rolled back");
    }
    List<ClaimedJob> claimed = new ArrayList<>(due.size());
    for (Record r : due) {
      JobId id = JobId.fromBytes(r.get(ID));
      int attempt = r.get(ATTEMPT) + 1;
      claimed.add(
          new ClaimedJob(
              new Lease(id, request.owner(), r.get(LEASE_TOKEN) + 1),
              r.get(TYPE),
              r.get(QUEUE),
              r.get(PAYLOAD),
              attempt,
              r.get(MAX_ATTEMPTS) != null
                  ? r.get(MAX_ATTEMPTS)
                  : request.maxAttemptsOf(r.get(TYPE)),
              SqlTime.fromMicros(r.get(TIMEOUT_MICROS)),
              r.get(PRIORITY),
              SqlTime.fromEpochMicros(r.get(READ_CREATED_AT))));
    }
    // The history rows, copied from the rows just updated (their new attempt numbers).
    EventQueries.copyFromJobs(ctx, t, ids, JobStatus.RUNNING, request.owner());
    return new Claimed(
        List.copyOf(claimed),
        new ClaimMemory.Position(last.get(PRIORITY), last.get(DUE_MICROS)),
        fromStart);
  }
}
