package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.CANCEL_REQUESTED;
import static io.jobengine.mysql.JobTables.FINISHED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.INFO_COLUMNS;
import static io.jobengine.mysql.JobTables.LEASE_EXPIRES_AT;
import static io.jobengine.mysql.JobTables.LEASE_OWNER;
import static io.jobengine.mysql.JobTables.PROGRESS_MESSAGE;
import static io.jobengine.mysql.JobTables.PROGRESS_PERCENT;
import static io.jobengine.mysql.JobTables.QUEUE;
import static io.jobengine.mysql.JobTables.RUN_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.TYPE;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static io.jobengine.mysql.JobTables.WARNINGS;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobStatus;
import io.jobengine.mysql.EventQueries.Event;
import io.jobengine.spi.JobPages;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** Reads, cancel and manual retry: what the client does to one job. */
final class JobQueries {

  private JobQueries() {}

  static Optional<JobInfo> get(DSLContext ctx, JobTables t, JobId id) {
    return ctx.select(INFO_COLUMNS)
        .from(t.job)
        .where(ID.eq(id.toBytes()))
        .fetchOptional()
        .map(JobRecordMapper::toInfo);
  }

  static JobPage list(DSLContext ctx, JobTables t, JobQuery query) {
    Condition where = DSL.noCondition();
    if (!query.statuses().isEmpty()) {
      where = where.and(STATUS.in(query.statuses().stream().map(Enum::name).toList()));
    }
    if (query.type() != null) {
      where = where.and(TYPE.eq(query.type()));
    }
    if (query.queue() != null) {
      where = where.and(QUEUE.eq(query.queue()));
    }
    if (query.after() != null) {
      where = where.and(ID.gt(query.after().toBytes()));
    }
    List<JobInfo> jobs = new ArrayList<>();
    for (Record r :
        ctx.select(INFO_COLUMNS)
            .from(t.job)
            .where(where)
            .orderBy(ID)
            .limit(query.limit() + 1)
            .fetch()) {
      jobs.add(JobRecordMapper.toInfo(r));
    }
    return JobPages.of(jobs, query.limit());
  }

  /** Reads the status under a row lock, then changes it; one short transaction. */
  static CancelResult cancel(DSLContext ctx, JobTables t, JobId id) {
    Record2<String, Integer> row =
        ctx.select(STATUS, ATTEMPT).from(t.job).where(ID.eq(id.toBytes())).forUpdate().fetchOne();
    if (row == null) {
      return CancelResult.NOT_FOUND;
    }
    JobStatus status = JobStatus.valueOf(row.value1());
    switch (status) {
      case PENDING -> {
        ctx.update(t.job)
            .set(FINISHED_AT, SqlTime.now())
            .set(UPDATED_AT, SqlTime.now())
            .set(LEASE_OWNER, (String) null)
            .set(LEASE_EXPIRES_AT, (LocalDateTime) null)
            .set(STATUS, JobStatus.CANCELED.name())
            .where(ID.eq(id.toBytes()))
            .execute();
        EventQueries.insert(
            ctx, t, List.of(new Event(id, row.value2(), JobStatus.CANCELED, null, "canceled")));
        return CancelResult.CANCELED;
      }
      case QUEUED, RUNNING -> {
        ctx.update(t.job)
            .set(CANCEL_REQUESTED, true)
            .set(UPDATED_AT, SqlTime.now())
            .set(STATUS, JobStatus.TO_CANCEL.name())
            .where(ID.eq(id.toBytes()))
            .execute();
        EventQueries.insert(
            ctx, t,
            List.of(new Event(id, row.value2(), JobStatus.TO_CANCEL, null, "cancel requested")));
        return CancelResult.CANCEL_REQUESTED;
      }
      case TO_CANCEL -> {
        return CancelResult.CANCEL_REQUESTED;
      }
      default -> {
        return CancelResult.ALREADY_FINISHED;
      }
    }
  }

  /**
   * Puts a FAILURE or CANCELED job back to PENDING. The generated {@code active_unique_key} takes
   * the job's key again; if another unfinished job holds it, the UNIQUE index refuses the UPDATE
   * (error 1062, which undoes that statement only) and the answer is false.
   */
  static boolean retry(DSLContext ctx, JobTables t, JobId id) {
    int n;
    try {
      n =
          ctx.update(t.job)
              .set(RUN_AT, SqlTime.now())
              .set(ATTEMPT, 0)
              .set(CANCEL_REQUESTED, false)
              .set(FINISHED_AT, (LocalDateTime) null)
              .set(PROGRESS_PERCENT, (Integer) null)
              .set(PROGRESS_MESSAGE, (String) null)
              .set(WARNINGS, (String) null)
              .set(LEASE_OWNER, (String) null)
              .set(LEASE_EXPIRES_AT, (LocalDateTime) null)
              .set(UPDATED_AT, SqlTime.now())
              .set(STATUS, JobStatus.PENDING.name())
              .where(ID.eq(id.toBytes()))
              .and(STATUS.in(JobStatus.FAILURE.name(), JobStatus.CANCELED.name()))
              .execute();
    } catch (DataAccessException e) {
      if (StoreErrors.isDuplicateKey(e)) {
        return false;
      }
      throw e;
    }
    if (n == 1) {
      EventQueries.insert(ctx, t, List.of(new Event(id, 0, JobStatus.PENDING, null, "retried")));
    }
    return n == 1;
  }
}
