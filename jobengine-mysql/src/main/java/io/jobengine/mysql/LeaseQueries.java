package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ATTEMPT;
import static io.jobengine.mysql.JobTables.FINISHED_AT;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LAST_ERROR;
import static io.jobengine.mysql.JobTables.LEASE_EXPIRES_AT;
import static io.jobengine.mysql.JobTables.LEASE_OWNER;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.MAX_ATTEMPTS;
import static io.jobengine.mysql.JobTables.RUN_AT;
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static org.jooq.impl.DSL.concat;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.when;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Row2;

/** Lease renewal and the reaper. */
final class LeaseQueries {

  /** Leases per renewal statement at most. */
  static final int MAX_LEASES_PER_STATEMENT = 1000;

  private LeaseQueries() {}

  /**
   * Extends a node's live leases in one UPDATE per {@value #MAX_LEASES_PER_STATEMENT} leases, then
   * reads the same rows back to tell which leases were lost and which jobs wait to be canceled.
   * The rows the UPDATE changed stay locked until commit, so the read agrees with it; a lease the
   * UPDATE passed over cannot have become live since (a new claim means a new token).
   */
  static LeaseRenewal renew(DSLContext ctx, JobTables t, String owner, List<Lease> held,
      Duration leaseDuration) {
    Set<JobId> lost = new HashSet<>();
    Set<JobId> cancelRequested = new HashSet<>();
    for (int from = 0; from < held.size(); from += MAX_LEASES_PER_STATEMENT) {
      List<Lease> chunk = held.subList(from, Math.min(held.size(), from + MAX_LEASES_PER_STATEMENT));
      Map<JobId, Long> tokens = new LinkedHashMap<>();
      for (Lease lease : chunk) {
        tokens.put(lease.jobId(), lease.token());
      }
      List<byte[]> ids = new ArrayList<>(tokens.size());
      List<Row2<byte[], Long>> pairs = new ArrayList<>(tokens.size());
      for (Map.Entry<JobId, Long> e : tokens.entrySet()) {
        byte[] id = e.getKey().toBytes();
        ids.add(id);
        pairs.add(row(id, e.getValue()));
      }
      // "id IN" lets the optimizer range-scan the primary key; the row IN then checks the token.
      Condition mine =
          ID.in(ids).and(row(ID, LEASE_TOKEN).in(pairs)).and(LEASE_OWNER.eq(owner))
              .and(STATUS.in(CompletionQueries.LIVE));
      ctx.update(t.job)
          .set(LEASE_EXPIRES_AT, SqlTime.nowPlus(leaseDuration))
          .set(UPDATED_AT, SqlTime.now())
          .where(mine)
          .execute();
      Set<JobId> seen = new HashSet<>();
      for (Record r :
          ctx.select(ID, STATUS, LEASE_TOKEN, LEASE_OWNER).from(t.job).where(ID.in(ids)).fetch()) {
        JobId id = JobId.fromBytes(r.get(ID));
        seen.add(id);
        boolean live =
            tokens.get(id).equals(r.get(LEASE_TOKEN))
                && owner.equals(r.get(LEASE_OWNER))
                && CompletionQueries.LIVE.contains(r.get(STATUS));
        if (!live) {
          lost.add(id);
        } else if (JobStatus.TO_CANCEL.name().equals(r.get(STATUS))) {
          cancelRequested.add(id);
        }
      }
      for (JobId id : tokens.keySet()) {
        if (!seen.contains(id)) {
          lost.add(id);
        }
      }
    }
    return new LeaseRenewal(lost, cancelRequested);
  }

  /**
   * Ends every expired lease in one conditional UPDATE; a job put back keeps its run_at (it was
   * due when claimed), so it keeps its place in the queue instead of going behind the backlog, served by the index {@code lease_expiry
   * (status, lease_expires_at)}. Never read-then-write: every node may run it at once, and a row
   * that another reaper or a late completion changed first no longer matches.
   *
   * <p>MySQL (and MariaDB without SIMULTANEOUS_ASSIGNMENT) evaluates SET assignments left to right,
   * each seeing the columns already assigned; so every expression that reads {@code status} or
   * {@code lease_owner} comes before the assignment of that column.
   */
  static int reap(DSLContext ctx, JobTables t) {
    Condition toCancel = STATUS.eq(inline(JobStatus.TO_CANCEL.name()));
    Condition ends = toCancel.or(ATTEMPT.ge(MAX_ATTEMPTS));
    return ctx.update(t.job)
        .set(
            LAST_ERROR,
            when(toCancel, LAST_ERROR)
                .otherwise(
                    concat(
                        inline("lease of node "), LEASE_OWNER, inline(" expired (attempt "),
                        ATTEMPT.cast(String.class), inline(" of "),
                        MAX_ATTEMPTS.cast(String.class), inline(")"))))
        .set(FINISHED_AT, when(ends, SqlTime.now()).otherwise(FINISHED_AT))
        .set(LEASE_OWNER, (String) null)
        .set(LEASE_EXPIRES_AT, (java.time.LocalDateTime) null)
        .set(UPDATED_AT, SqlTime.now())
        .set(
            STATUS,
            when(toCancel, inline(JobStatus.CANCELED.name()))
                .when(ATTEMPT.ge(MAX_ATTEMPTS), inline(JobStatus.FAILURE.name()))
                .otherwise(inline(JobStatus.PENDING.name())))
        .where(STATUS.in(CompletionQueries.LIVE))
        .and(LEASE_EXPIRES_AT.lt(SqlTime.now()))
        .execute();
  }
}
