package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.FINISHED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LAST_ERROR;
import static io.jobengine.mysql.JobTables.LEASE_EXPIRES_AT;
import static io.jobengine.mysql.JobTables.LEASE_OWNER;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.PROGRESS_MESSAGE;
import static io.jobengine.mysql.JobTables.PROGRESS_PERCENT;
import static io.jobengine.mysql.JobTables.RUN_AT;
import static io.jobengine.mysql.JobTables.STARTED_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static io.jobengine.mysql.JobTables.WARNINGS;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.when;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.mysql.EventQueries.Event;
import io.jobengine.spi.Completion;
import io.jobengine.spi.Lease;
import io.jobengine.spi.ProgressUpdate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.UpdateSetMoreStep;

/**
 * The fenced writes of an attempt: start, progress and end. Each job's write carries {@code WHERE
 * id = ? AND lease_token = ? AND status IN ('QUEUED','RUNNING','TO_CANCEL')} and is checked on its
 * own: a job whose write changed no row is returned as rejected, and nothing was written for it.
 * Many jobs share one transaction (one commit), their statements run in id order so that two
 * transactions lock rows in the same order.
 *
 * <p>Row counts are matched rows (Connector/J's default {@code useAffectedRows=false}); every write
 * also sets {@code updated_at} to the current microsecond, so even a driver counting changed rows
 * sees one.
 */
final class CompletionQueries {

  /** The statuses in which a lease is live. */
  static final List<String> LIVE =
      List.of(JobStatus.QUEUED.name(), JobStatus.RUNNING.name(), JobStatus.TO_CANCEL.name());

  private static final Comparator<Lease> BY_ID = Comparator.comparing(Lease::jobId);

  private CompletionQueries() {}

  static Condition liveLease(Lease lease) {
    return ID.eq(lease.jobId().toBytes())
        .and(LEASE_TOKEN.eq(lease.token()))
        .and(STATUS.in(LIVE));
  }

  static Set<JobId> markRunning(DSLContext ctx, JobTables t, List<Lease> leases) {
    List<Lease> sorted = new ArrayList<>(leases);
    sorted.sort(BY_ID);
    Set<JobId> rejected = new HashSet<>();
    for (Lease lease : sorted) {
      int n =
          ctx.update(t.job)
              .set(STARTED_AT, SqlTime.now())
              .set(UPDATED_AT, SqlTime.now())
              // A TO_CANCEL job stays TO_CANCEL; status is set last (MySQL assigns left to right).
              .set(
                  STATUS,
                  when(STATUS.eq(inline(JobStatus.QUEUED.name())), inline(JobStatus.RUNNING.name()))
                      .otherwise(STATUS))
              .where(liveLease(lease))
              .execute();
      if (n == 0) {
        rejected.add(lease.jobId());
      }
    }
    return Set.copyOf(rejected);
  }

  static Set<JobId> reportProgress(DSLContext ctx, JobTables t, List<ProgressUpdate> updates) {
    List<ProgressUpdate> sorted = new ArrayList<>(updates);
    sorted.sort(Comparator.comparing(u -> u.lease().jobId()));
    Set<JobId> rejected = new HashSet<>();
    for (ProgressUpdate u : sorted) {
      int n =
          ctx.update(t.job)
              .set(PROGRESS_PERCENT, u.percent())
              .set(
                  PROGRESS_MESSAGE,
                  Texts.truncate(u.message(), Texts.MAX_PROGRESS_MESSAGE_LENGTH))
              .set(UPDATED_AT, SqlTime.now())
              .where(liveLease(u.lease()))
              .execute();
      if (n == 0) {
        rejected.add(u.lease().jobId());
      }
    }
    return Set.copyOf(rejected);
  }

  /**
   * Ends attempts. The rows are first read and locked ({@code FOR UPDATE}, in id order) so that
   * each job's new status is decided from its current one (a RETRY or RELEASE of a TO_CANCEL job
   * ends it CANCELED) and its history row tells what really happened; each job is then updated
   * by primary key and token and its row count checked.
   */
  static Set<JobId> complete(DSLContext ctx, JobTables t, List<Completion> completions) {
    List<Completion> sorted = new ArrayList<>(completions);
    sorted.sort(Comparator.comparing(c -> c.lease().jobId()));
    List<byte[]> ids = new ArrayList<>(sorted.size());
    for (Completion c : sorted) {
      ids.add(c.lease().jobId().toBytes());
    }
    Map<JobId, Record> current = new HashMap<>();
    for (Record r :
        ctx.select(ID, STATUS, LEASE_TOKEN, ATTEMPT)
            .from(t.job)
            .where(ID.in(ids))
            .orderBy(ID)
            .forUpdate()
            .fetch()) {
      current.put(JobId.fromBytes(r.get(ID)), r);
    }
    Set<JobId> rejected = new HashSet<>();
    List<Event> events = new ArrayList<>(sorted.size());
    for (Completion c : sorted) {
      Lease lease = c.lease();
      Record row = current.get(lease.jobId());
      if (row == null
          || row.get(LEASE_TOKEN) != lease.token()
          || !LIVE.contains(row.get(STATUS))) {
        rejected.add(lease.jobId());
        continue;
      }
      boolean cancelRequested = JobStatus.TO_CANCEL.name().equals(row.get(STATUS));
      int attempt = row.get(ATTEMPT);
      UpdateSetMoreStep<Record> update =
          ctx.update(t.job)
              .set(LEASE_OWNER, (String) null)
              .set(LEASE_EXPIRES_AT, (java.time.LocalDateTime) null)
              .set(UPDATED_AT, SqlTime.now());
      JobStatus next;
      String message = null;
      switch (c.outcome()) {
        case SUCCESS -> {
          next = JobStatus.SUCCESS;
          update = update.set(WARNINGS, (String) null);
        }
        case WARNING -> {
          next = JobStatus.WARNING;
          update = update.set(WARNINGS, WarningsJson.encode(c.warnings()));
          message = String.join("; ", c.warnings());
        }
        case FAILURE -> {
          next = JobStatus.FAILURE;
          message = Texts.truncate(c.error(), Texts.MAX_ERROR_LENGTH);
          update = update.set(LAST_ERROR, message);
        }
        case CANCELED -> next = JobStatus.CANCELED;
        case RETRY -> {
          message = Texts.truncate(c.error(), Texts.MAX_ERROR_LENGTH);
          update = update.set(LAST_ERROR, message);
          if (cancelRequested) {
            next = JobStatus.CANCELED;
          } else {
            next = JobStatus.PENDING;
            update = update.set(RUN_AT, SqlTime.nowPlus(c.retryDelay()));
          }
        }
        case RELEASE -> {
          if (cancelRequested) {
            next = JobStatus.CANCELED;
          } else {
            next = JobStatus.PENDING;
            attempt--; // the attempt did not fail: give it back
            update = update.set(ATTEMPT, attempt).set(RUN_AT, SqlTime.now());
          }
        }
        default -> throw new IllegalStateException("Unknown outcome " + c.outcome());
      }
      if (next.isTerminal()) {
        update = update.set(FINISHED_AT, SqlTime.now());
      }
      int n = update.set(STATUS, next.name()).where(liveLease(lease)).execute();
      if (n != 1) {
        throw new IllegalStateException(
            "Job " + lease.jobId() + " was locked with token " + lease.token() + " but its"
                + " completion changed " + n + " rows; rolled back");
      }
      events.add(new Event(lease.jobId(), attempt, next, lease.owner(), message));
    }
    EventQueries.insert(ctx, t, events);
    return Set.copyOf(rejected);
  }
}
