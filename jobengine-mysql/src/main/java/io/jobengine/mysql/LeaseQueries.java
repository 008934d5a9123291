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
import org.jooq.Record1;
import org.jooq.ResultQuery;
import org.jooq.Row2;

/** Lease renewal, the cancel-request read and the reaper; none of them waits for a row lock. */
final class LeaseQueries {

  /** Leases per renewal statement at most. */
  static final int MAX_LEASES_PER_STATEMENT = 1000;

  /**
   * Expired leases one reaper call ends at most: a bound on the rows its transaction locks and on
   * its length. The engine calls again while a call ends any.
   */
  static final int REAP_BATCH = 500;

  private LeaseQueries() {}

  /**
   * Extends a node's live leases, {@value #MAX_LEASES_PER_STATEMENT} leases per round, without
   * waiting for rows that another transaction holds locked (an operator's {@code SELECT ... FOR
   * UPDATE}, a host transaction): a locking read with {@code SKIP LOCKED} takes the live rows it
   * can, and the UPDATE then changes those rows by primary key, the live-lease condition repeated.
   * So one locked row costs the renewal of that row only, not of the node's other leases.
   *
   * <p>Then a plain (consistent, non-locking) read of all the rows tells the rest: a row that is
   * no longer a live lease of this owner is lost; a live one that the locking read passed over is
   * skipped (locked by someone else: its expiry stands, neither renewed nor lost); a TO_CANCEL row
   * has its cancel requested. A lease the locking read passed over for not being live cannot have
   * become live since (a new claim means a new token).
   */
  static LeaseRenewal renew(DSLContext ctx, JobTables t, String owner, List<Lease> held,
      Duration leaseDuration) {
    Set<JobId> lost = new HashSet<>();
    Set<JobId> cancelRequested = new HashSet<>();
    Set<JobId> skipped = new HashSet<>();
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
      List<byte[]> locked = ctx.select(ID).from(t.job).where(mine).forUpdate().skipLocked().fetch(ID);
      Set<JobId> renewed = new HashSet<>();
      if (!locked.isEmpty()) {
        ctx.update(t.job)
            .set(LEASE_EXPIRES_AT, SqlTime.nowPlus(leaseDuration))
            .set(UPDATED_AT, SqlTime.now())
            .where(ID.in(locked))
            .and(mine)
            .execute();
        locked.forEach(id -> renewed.add(JobId.fromBytes(id)));
      }
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
          continue;
        }
        if (!renewed.contains(id)) {
          skipped.add(id);
        }
        if (JobStatus.TO_CANCEL.name().equals(r.get(STATUS))) {
          cancelRequested.add(id);
        }
      }
      for (JobId id : tokens.keySet()) {
        if (!seen.contains(id)) {
          lost.add(id);
        }
      }
    }
    return new LeaseRenewal(lost, cancelRequested, skipped);
  }

  /**
   * The live leases among {@code held} whose cancel was requested: primary-key lookups in a plain
   * read, which waits for no lock and changes nothing.
   */
  static Set<JobId> cancelRequests(DSLContext ctx, JobTables t, List<Lease> held) {
    Set<JobId> requested = new HashSet<>();
    for (int from = 0; from < held.size(); from += MAX_LEASES_PER_STATEMENT) {
      List<Lease> chunk = held.subList(from, Math.min(held.size(), from + MAX_LEASES_PER_STATEMENT));
      Map<JobId, Lease> leases = new LinkedHashMap<>();
      List<byte[]> ids = new ArrayList<>(chunk.size());
      for (Lease lease : chunk) {
        leases.put(lease.jobId(), lease);
        ids.add(lease.jobId().toBytes());
      }
      for (Record r :
          ctx.select(ID, LEASE_TOKEN, LEASE_OWNER)
              .from(t.job)
              .where(ID.in(ids))
              .and(STATUS.eq(JobStatus.TO_CANCEL.name()))
              .fetch()) {
        JobId id = JobId.fromBytes(r.get(ID));
        Lease lease = leases.get(id);
        if (lease != null
            && Long.valueOf(lease.token()).equals(r.get(LEASE_TOKEN))
            && lease.owner().equals(r.get(LEASE_OWNER))) {
          requested.add(id);
        }
      }
    }
    return requested;
  }

  /**
   * Ends up to {@value #REAP_BATCH} expired leases: a locking read with {@code SKIP LOCKED} on the
   * index {@code lease_expiry (status, lease_expires_at)} takes expired rows that nobody else holds
   * locked, and one UPDATE then ends them by primary key, the expiry condition repeated. So the
   * reaper never waits for a row another transaction holds (an operator's lock, another node's
   * reaper, a completion in flight): it ends the others, and the locked one in a later call. A job
   * put back keeps its run_at (it was due when claimed), so it keeps its place in the queue
   * instead of going behind the backlog. Every node may run it at once: a row that another reaper
   * or a late completion changed first no longer matches.
   *
   * <p>MySQL (and MariaDB without SIMULTANEOUS_ASSIGNMENT) evaluates SET assignments left to right,
   * each seeing the columns already assigned; so every expression that reads {@code status} or
   * {@code lease_owner} comes before the assignment of that column.
   */
  static int reap(DSLContext ctx, JobTables t) {
    List<byte[]> ids = selectExpired(ctx, t).fetch(ID);
    if (ids.isEmpty()) {
      return 0;
    }
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
        .where(ID.in(ids))
        .and(expired())
        .execute();
  }

  /** The reaper's locking read: up to a batch of expired rows that nobody else holds locked. */
  static ResultQuery<Record1<byte[]>> selectExpired(DSLContext ctx, JobTables t) {
    return ctx.select(ID).from(t.job).where(expired()).limit(REAP_BATCH).forUpdate().skipLocked();
  }

  private static Condition expired() {
    return STATUS.in(CompletionQueries.LIVE).and(LEASE_EXPIRES_AT.lt(SqlTime.now()));
  }
}
