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
import static io.jobengine.mysql.JobTables.STATUS;
import static io.jobengine.mysql.JobTables.UPDATED_AT;
import static io.jobengine.mysql.JobTables.WARNINGS;
import static org.jooq.impl.DSL.row;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.mysql.EventQueries.Event;
import io.jobengine.spi.Completion;
import io.jobengine.spi.Completion.Outcome;
import io.jobengine.spi.Lease;
import io.jobengine.spi.ProgressUpdate;
import io.jobengine.spi.WriteResult;
import java.util.ArrayList;
import java.time.LocalDateTime;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.Record4;
import org.jooq.Row2;
import org.jooq.SelectForUpdateOfStep;
import org.jooq.UpdateSetMoreStep;

/**
 * The fenced writes of an attempt: progress and end. Each write applies only where {@code
 * id = ? AND lease_token = ? AND status IN ('QUEUED','RUNNING','TO_CANCEL')}, and each job's
 * outcome is checked on its own: a job whose write did not apply is returned as rejected, and
 * nothing was written for it. The jobs of one call share one transaction (one commit), and rows
 * are locked in id order so that two transactions do not lock the same rows in opposite orders.
 *
 * <p><b>Rows locked by others.</b> The engine's batched writes ({@link #reportProgress}, {@link
 * #completeBatch}) never wait for a row lock that another transaction holds (an operator's {@code
 * SELECT ... FOR UPDATE}, a handler's transaction still open): they first lock the batch's rows
 * with {@code SELECT id ... WHERE id IN (...) ... FOR UPDATE SKIP LOCKED} (primary-key lookups)
 * and write only the rows that read returned, by primary key with the lease condition repeated.
 * A row the read passed over is either locked by someone else or no longer a live lease of the
 * attempt; a plain (non-locking) read of those rows tells which: a live lease is reported busy
 * (nothing written, the caller writes it again later), any other is rejected. A lease the locking
 * read passed over for not being live cannot have become live since (a new claim means a new
 * token). The completion written in a handler's own transaction ({@link #complete}) does wait: the
 * lock may be the handler's own doing, and its transaction is the handler's to run.
 *
 * <p>Statements per call: progress one locking read and one UPDATE per job (each has its own
 * values); complete, for a batch of SUCCESS only (the common case), one locking read, one UPDATE
 * and one history INSERT ... SELECT; for any other batch one locking read, one UPDATE per kind of
 * SUCCESS, CANCELED and RELEASE, one per WARNING, FAILURE and RETRY (each has its own text or
 * delay), and one history INSERT. Plus one plain read when the locking read passed over a row.
 *
 * <p>Row counts are matched rows (Connector/J's default {@code useAffectedRows=false}); every write
 * also sets {@code updated_at} to the current microsecond, so even a driver counting changed rows
 * sees one.
 */
final class CompletionQueries {

  /** The statuses in which a lease is live. */
  static final List<String> LIVE =
      List.of(JobStatus.QUEUED.name(), JobStatus.RUNNING.name(), JobStatus.TO_CANCEL.name());

  private CompletionQueries() {}

  static Condition liveLease(Lease lease) {
    return ID.eq(lease.jobId().toBytes())
        .and(LEASE_TOKEN.eq(lease.token()))
        .and(STATUS.in(LIVE));
  }

  /**
   * One UPDATE per job: each has its own values. A null percent leaves the stored progress as it
   * is; the warnings replace the stored ones (the engine sends all of the attempt's so far). Rows
   * another transaction holds locked are passed over and reported busy (see the class
   * documentation).
   */
  static WriteResult reportProgress(DSLContext ctx, JobTables t, List<ProgressUpdate> updates) {
    List<ProgressUpdate> sorted = new ArrayList<>(updates);
    sorted.sort(Comparator.comparing(u -> u.lease().jobId()));
    List<Lease> leases = new ArrayList<>(sorted.size());
    sorted.forEach(u -> leases.add(u.lease()));
    Set<JobId> free = lockFree(ctx, t, leases);
    Set<JobId> rejected = new HashSet<>();
    for (ProgressUpdate u : sorted) {
      if (!free.contains(u.lease().jobId())) {
        continue;
      }
      UpdateSetMoreStep<Record> update =
          ctx.update(t.job).set(WARNINGS, Json.strings(u.warnings()));
      if (u.percent() != null) {
        update =
            update
                .set(PROGRESS_PERCENT, u.percent())
                .set(
                    PROGRESS_MESSAGE,
                    Texts.truncate(u.message(), Texts.MAX_PROGRESS_MESSAGE_LENGTH));
      }
      int n = update.set(UPDATED_AT, SqlTime.now()).where(liveLease(u.lease())).execute();
      if (n == 0) {
        rejected.add(u.lease().jobId());
      }
    }
    return passedOver(ctx, t, leases, free, rejected);
  }

  /**
   * Locks, without waiting, the rows of these leases that are live and that no other transaction
   * holds locked ({@code FOR UPDATE SKIP LOCKED}, primary-key lookups in id order).
   *
   * @return the jobs whose rows are now locked by this transaction, their leases live
   */
  private static Set<JobId> lockFree(DSLContext ctx, JobTables t, List<Lease> leases) {
    List<byte[]> ids = new ArrayList<>(leases.size());
    List<Row2<byte[], Long>> pairs = new ArrayList<>(leases.size());
    for (Lease lease : leases) {
      byte[] id = lease.jobId().toBytes();
      ids.add(id);
      pairs.add(row(id, lease.token()));
    }
    // "id IN" lets the optimizer look the rows up by primary key; the row IN checks the token.
    Set<JobId> free = new HashSet<>();
    for (byte[] id :
        ctx.select(ID)
            .from(t.job)
            .where(ID.in(ids))
            .and(row(ID, LEASE_TOKEN).in(pairs))
            .and(STATUS.in(LIVE))
            .orderBy(ID)
            .forUpdate()
            .skipLocked()
            .fetch(ID)) {
      free.add(JobId.fromBytes(id));
    }
    return free;
  }

  /**
   * The result of a write that wrote the {@code free} jobs (less those in {@code rejected}): of the
   * other leases, a plain read tells which are live (their rows locked by someone else: busy) and
   * which are not (rejected). No read when the locking read passed over nothing.
   */
  private static WriteResult passedOver(
      DSLContext ctx, JobTables t, List<Lease> leases, Set<JobId> free, Set<JobId> rejected) {
    Map<JobId, Lease> others = new HashMap<>();
    for (Lease lease : leases) {
      if (!free.contains(lease.jobId())) {
        others.put(lease.jobId(), lease);
      }
    }
    if (others.isEmpty()) {
      return WriteResult.rejected(rejected);
    }
    List<byte[]> ids = new ArrayList<>(others.size());
    others.keySet().forEach(id -> ids.add(id.toBytes()));
    Set<JobId> busy = new HashSet<>();
    for (Record r : ctx.select(ID, STATUS, LEASE_TOKEN).from(t.job).where(ID.in(ids)).fetch()) {
      JobId id = JobId.fromBytes(r.get(ID));
      Lease lease = others.get(id);
      if (lease != null
          && Long.valueOf(lease.token()).equals(r.get(LEASE_TOKEN))
          && LIVE.contains(r.get(STATUS))) {
        busy.add(id);
      }
    }
    Set<JobId> allRejected = new HashSet<>(rejected);
    for (JobId id : others.keySet()) {
      if (!busy.contains(id)) {
        allRejected.add(id);
      }
    }
    return new WriteResult(allRejected, busy);
  }

  /**
   * Ends attempts for the engine's batched writer, waiting for no row lock: the rows are first
   * locked with {@code SKIP LOCKED} (see the class documentation); only those are written, and the
   * others are reported busy or rejected. A batch of SUCCESS only is then one UPDATE and one
   * history INSERT ... SELECT; any other batch goes through {@link #completeLocked}, whose own
   * locking read skips locked rows too.
   */
  static WriteResult completeBatch(DSLContext ctx, JobTables t, List<Completion> completions) {
    List<Completion> sorted = new ArrayList<>(completions);
    sorted.sort(Comparator.comparing(c -> c.lease().jobId()));
    if (!sorted.stream().allMatch(c -> c.outcome() == Outcome.SUCCESS)) {
      return completeLocked(ctx, t, sorted, true);
    }
    List<Lease> leases = new ArrayList<>(sorted.size());
    sorted.forEach(c -> leases.add(c.lease()));
    Set<JobId> free = lockFree(ctx, t, leases);
    List<Completion> writable = new ArrayList<>(free.size());
    for (Completion c : sorted) {
      if (free.contains(c.lease().jobId())) {
        writable.add(c);
      }
    }
    if (!writable.isEmpty()) {
      // The rows are locked and their leases live: every one must match.
      requireAll(succeed(ctx, t), writable);
      copySuccessEvents(ctx, t, writable);
    }
    return passedOver(ctx, t, leases, free, Set.of());
  }

  /**
   * Ends attempts in a handler's own transaction ({@link TransactionalCompletion}), waiting for row
   * locks as any statement of that transaction would. A batch of SUCCESS only takes the short way
   * ({@link #succeedAll}); any other batch goes through {@link #completeLocked}.
   *
   * @throws NotAllLive when the short way found a lease not live; write the batch again with
   *     {@link #completeLocked} in a new transaction
   */
  static Set<JobId> complete(DSLContext ctx, JobTables t, List<Completion> completions) {
    List<Completion> sorted = new ArrayList<>(completions);
    sorted.sort(Comparator.comparing(c -> c.lease().jobId()));
    if (sorted.stream().allMatch(c -> c.outcome() == Outcome.SUCCESS)) {
      succeedAll(ctx, t, sorted);
      return Set.of();
    }
    return completeLocked(ctx, t, sorted, false).rejected();
  }

  /**
   * Thrown inside the transaction when a batch of SUCCESS did not match every lease: the
   * transaction is rolled back and the batch is written again the careful way ({@link
   * #completeLocked}). An IllegalStateException so that the transaction helper rethrows it as it
   * is.
   */
  static final class NotAllLive extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NotAllLive() {
      super("a lease of the batch was not live; writing it again with a locking read", null);
    }
  }

  /**
   * Ends attempts the careful way. The rows are first read and locked ({@code FOR UPDATE}, in id
   * order) so that each job's new status is decided from its current one (a RETRY or RELEASE of a
   * TO_CANCEL job ends it CANCELED) and its history row tells what really happened; each job is
   * then updated by primary key and token and its row count checked.
   *
   * @param skipLocked pass over rows another transaction holds locked ({@code SKIP LOCKED}) and
   *     report them busy, instead of waiting for them
   */
  static WriteResult completeLocked(
      DSLContext ctx, JobTables t, List<Completion> completions, boolean skipLocked) {
    List<Completion> sorted = new ArrayList<>(completions);
    sorted.sort(Comparator.comparing(c -> c.lease().jobId()));
    List<byte[]> ids = new ArrayList<>(sorted.size());
    List<Lease> leases = new ArrayList<>(sorted.size());
    for (Completion c : sorted) {
      ids.add(c.lease().jobId().toBytes());
      leases.add(c.lease());
    }
    SelectForUpdateOfStep<Record4<byte[], String, Long, Integer>> read =
        ctx.select(ID, STATUS, LEASE_TOKEN, ATTEMPT)
            .from(t.job)
            .where(ID.in(ids))
            .orderBy(ID)
            .forUpdate();
    Map<JobId, Record> current = new HashMap<>();
    for (Record r : skipLocked ? read.skipLocked().fetch() : read.fetch()) {
      current.put(JobId.fromBytes(r.get(ID)), r);
    }
    if (skipLocked && current.size() < sorted.size()) {
      // Passed over: locked by someone else (busy) or gone (rejected); the plain read tells.
      List<Completion> found = new ArrayList<>(current.size());
      for (Completion c : sorted) {
        if (current.containsKey(c.lease().jobId())) {
          found.add(c);
        }
      }
      WriteResult written = completeLocked(ctx, t, found, current);
      return passedOver(ctx, t, leases, current.keySet(), written.rejected());
    }
    return completeLocked(ctx, t, sorted, current);
  }

  /** Writes the completions whose rows {@code current} holds, read and locked by this call. */
  private static WriteResult completeLocked(
      DSLContext ctx, JobTables t, List<Completion> sorted, Map<JobId, Record> current) {
    Set<JobId> rejected = new HashSet<>();
    List<Event> events = new ArrayList<>(sorted.size());
    // Completions whose SET clause is the same for every job (no per-job text or delay) go into
    // one UPDATE per kind; the rows are locked and their leases checked, so the count is exact.
    Map<JobStatus, List<Completion>> plainEnds = new EnumMap<>(JobStatus.class);
    List<Completion> releases = new ArrayList<>();
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
      Outcome outcome = c.outcome();
      if (outcome == Outcome.RELEASE && cancelRequested) {
        outcome = Outcome.CANCELED; // a cancel the user asked for is not lost
      }
      switch (outcome) {
        case SUCCESS, CANCELED -> {
          JobStatus end = outcome == Outcome.SUCCESS ? JobStatus.SUCCESS : JobStatus.CANCELED;
          plainEnds.computeIfAbsent(end, k -> new ArrayList<>()).add(c);
          events.add(new Event(lease.jobId(), attempt, end, lease.owner(), null));
        }
        case RELEASE -> {
          releases.add(c);
          events.add(new Event(lease.jobId(), attempt - 1, JobStatus.PENDING, lease.owner(),
              "released"));
        }
        case WARNING, FAILURE, RETRY -> events.add(completeOne(ctx, t, c, cancelRequested, attempt));
        default -> throw new IllegalStateException("Unknown outcome " + outcome);
      }
    }
    for (Map.Entry<JobStatus, List<Completion>> e : plainEnds.entrySet()) {
      UpdateSetMoreStep<Record> update = endLease(ctx, t).set(FINISHED_AT, SqlTime.now());
      if (e.getKey() == JobStatus.SUCCESS) {
        update = update.set(WARNINGS, (String) null);
      }
      requireAll(update.set(STATUS, e.getKey().name()), e.getValue());
    }
    if (!releases.isEmpty()) {
      // The attempt did not fail: give it back. Due at once.
      requireAll(
          endLease(ctx, t)
              .set(ATTEMPT, ATTEMPT.minus(1))
              .set(RUN_AT, SqlTime.now())
              .set(STATUS, JobStatus.PENDING.name()),
          releases);
    }
    EventQueries.insert(ctx, t, events);
    return WriteResult.rejected(rejected);
  }

  /**
   * The common case, a batch of SUCCESS only, without the locking read: a SUCCESS does not depend
   * on the job's current status (a TO_CANCEL job that finished ends SUCCESS too), so one fenced
   * UPDATE decides every job. When it matched every lease, all landed, and the history rows are
   * copied from the jobs in one INSERT ... SELECT; otherwise {@link NotAllLive} rolls the
   * transaction back (a rejected lease is rare: a lost lease or a job ended by someone else).
   */
  private static void succeedAll(DSLContext ctx, JobTables t, List<Completion> sorted) {
    int matched = succeed(ctx, t).where(fencedAll(sorted)).execute();
    if (matched != sorted.size()) {
      throw new NotAllLive();
    }
    copySuccessEvents(ctx, t, sorted);
  }

  /** The UPDATE of a SUCCESS, without its WHERE. */
  private static UpdateSetMoreStep<Record> succeed(DSLContext ctx, JobTables t) {
    return endLease(ctx, t)
        .set(FINISHED_AT, SqlTime.now())
        .set(WARNINGS, (String) null)
        .set(STATUS, JobStatus.SUCCESS.name());
  }

  /** The history rows of SUCCESS completions just written, copied from their jobs. */
  private static void copySuccessEvents(DSLContext ctx, JobTables t, List<Completion> written) {
    Map<String, List<byte[]>> byOwner = new HashMap<>();
    for (Completion c : written) {
      byOwner.computeIfAbsent(c.lease().owner(), k -> new ArrayList<>()).add(c.lease().jobId().toBytes());
    }
    byOwner.forEach((owner, ids) -> EventQueries.copyFromJobs(ctx, t, ids, JobStatus.SUCCESS, owner));
  }

  private static List<byte[]> ids(List<Completion> completions) {
    List<byte[]> ids = new ArrayList<>(completions.size());
    completions.forEach(c -> ids.add(c.lease().jobId().toBytes()));
    return ids;
  }

  /** Rows whose lease, of these completions, is live. */
  private static Condition fencedAll(List<Completion> completions) {
    List<Row2<byte[], Long>> pairs = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      pairs.add(row(c.lease().jobId().toBytes(), c.lease().token()));
    }
    return ID.in(ids(completions)).and(row(ID, LEASE_TOKEN).in(pairs)).and(STATUS.in(LIVE));
  }

  /** A WARNING, FAILURE or RETRY: texts and delays differ per job, so one UPDATE each. */
  private static Event completeOne(
      DSLContext ctx, JobTables t, Completion c, boolean cancelRequested, int attempt) {
    UpdateSetMoreStep<Record> update = endLease(ctx, t);
    JobStatus next;
    String message;
    switch (c.outcome()) {
      case WARNING -> {
        next = JobStatus.WARNING;
        update = update.set(WARNINGS, Json.strings(c.warnings()));
        message = String.join("; ", c.warnings());
      }
      case FAILURE -> {
        next = JobStatus.FAILURE;
        message = Texts.truncate(c.error(), Texts.MAX_ERROR_LENGTH);
        update = update.set(LAST_ERROR, message);
      }
      case RETRY -> {
        message = Texts.truncate(c.error(), Texts.MAX_ERROR_LENGTH);
        update = update.set(LAST_ERROR, message);
        if (cancelRequested) {
          next = JobStatus.CANCELED; // a cancel the user asked for is not lost
        } else {
          next = JobStatus.PENDING;
          update = update.set(RUN_AT, SqlTime.nowPlus(c.retryDelay()));
        }
      }
      default -> throw new IllegalStateException("Not a per-job outcome: " + c.outcome());
    }
    if (next.isTerminal()) {
      update = update.set(FINISHED_AT, SqlTime.now());
    }
    requireAll(update.set(STATUS, next.name()), List.of(c));
    return new Event(c.lease().jobId(), attempt, next, c.lease().owner(), message);
  }

  /** The start of every completion's UPDATE: the lease ends. */
  private static UpdateSetMoreStep<Record> endLease(DSLContext ctx, JobTables t) {
    return ctx.update(t.job)
        .set(LEASE_OWNER, (String) null)
        .set(LEASE_EXPIRES_AT, (LocalDateTime) null)
        .set(UPDATED_AT, SqlTime.now());
  }

  /** Runs the UPDATE for exactly these completions' jobs, whose live leases are locked. */
  private static void requireAll(UpdateSetMoreStep<Record> update, List<Completion> completions) {
    int n = update.where(fencedAll(completions)).execute();
    if (n != completions.size()) {
      throw new IllegalStateException(
          "Completing " + completions.size() + " jobs with locked live leases changed " + n
              + " rows (first job " + completions.get(0).lease().jobId() + "); rolled back");
    }
  }
}
