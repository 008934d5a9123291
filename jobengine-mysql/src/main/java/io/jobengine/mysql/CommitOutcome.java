package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.EVENT_JOB_ID;
import static io.jobengine.mysql.JobTables.EVENT_NODE;
import static io.jobengine.mysql.JobTables.EVENT_STATUS;
import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.STATUS;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.StoreException;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether a completion whose COMMIT failed with a broken connection landed, by reading the
 * rows again on a fresh connection: the server may have committed the transaction before the
 * connection broke, and then a retry of the write would be rejected by fencing and the node would
 * report as dropped a result that stands.
 *
 * <p>The re-read is sound only once the old session is gone: a COMMIT still on its way to the
 * server (or still running there) can land after a re-read that saw the old row. So before it
 * reads, the store ends the old session by its id ({@link SessionIds}): {@code KILL CONNECTION}
 * on a fresh connection (a user may kill its own sessions), then a wait, bounded by {@link
 * #SESSION_END_TIMEOUT}, until the id no longer shows in {@code information_schema.PROCESSLIST}.
 * From then on the transaction's outcome is final, committed or rolled back, and the re-read sees
 * it. If the session cannot be seen to end, the outcome stays unknown.
 *
 * <p>A completion landed if the job still carries the attempt's token, is no longer leased, has the
 * status the completion gives, and its newest history row is that status written by the
 * attempt's node (the completion writes that row in its transaction; the reaper writes none, so a
 * lease that expired meanwhile does not pass for a landed completion). The jobs of one call share
 * one transaction, so either every write of it that was not rejected landed, or none did.
 */
final class CommitOutcome {

  private static final Logger log = LoggerFactory.getLogger(CommitOutcome.class);

  /** What the re-read says about one completion. */
  enum Verdict {
    /** Its write is in the row. */
    LANDED,
    /** The row is still leased with its token: the transaction did not commit. */
    NOT_LANDED,
    /** The row moved on without it (fenced, reaped, or changed by someone else). */
    GONE
  }

  /** Thrown by {@link Db} when COMMIT itself failed with a broken connection. */
  static final class UnknownException extends StoreException {
    private static final long serialVersionUID = 1L;

    /** The server's id of the session whose COMMIT was cut off. */
    private final long sessionId;

    UnknownException(String message, Throwable cause, long sessionId) {
      super(message, cause);
      this.sessionId = sessionId;
    }

    long sessionId() {
      return sessionId;
    }
  }

  /** How long the store waits for a session whose COMMIT was cut off to end. */
  static final Duration SESSION_END_TIMEOUT = Duration.ofSeconds(10);

  private static final int ER_NO_SUCH_THREAD = 1094;
  private static final Duration FIRST_POLL = Duration.ofMillis(2);
  private static final Duration LONGEST_POLL = Duration.ofMillis(50);

  private static final Field<Long> PROCESS_ID = DSL.field(DSL.name("ID"), SQLDataType.BIGINT);
  /** Plain SQL: the store's settings leave schema names out of rendered names. */
  private static final Table<?> PROCESSLIST = DSL.table("information_schema.PROCESSLIST");

  private CommitOutcome() {}

  /**
   * Ends the session whose COMMIT was cut off, and returns once the server no longer lists it:
   * from then on its transaction is committed or rolled back for good.
   *
   * @param operation what was being done, for messages
   * @throws StoreException if the session still shows after {@link #SESSION_END_TIMEOUT}, or the
   *     server cannot be reached; the outcome is then still unknown
   */
  static void endSession(Db db, long sessionId, String operation, JobId jobId) {
    db.single(
        "end session " + sessionId + " after the cut-off commit of '" + operation + "'", jobId,
        ctx -> {
          try {
            ctx.execute("KILL CONNECTION ?", sessionId);
          } catch (DataAccessException e) {
            if (StoreErrors.errorCode(e) != ER_NO_SUCH_THREAD) {
              // Not ours to kill, or KILL refused: the wait below still decides.
              log.debug("KILL CONNECTION {} failed: {}", sessionId, e.getMessage());
            }
          }
          return null;
        });
    long deadline = System.nanoTime() + SESSION_END_TIMEOUT.toNanos();
    long pause = FIRST_POLL.toNanos();
    while (db.single(
        "check that session " + sessionId + " has ended", jobId,
        ctx -> ctx.fetchExists(ctx.selectOne().from(PROCESSLIST).where(PROCESS_ID.eq(sessionId))))) {
      if (System.nanoTime() - deadline > 0) {
        throw new StoreException(
            "MySqlJobStore could not " + operation + (jobId == null ? "" : " (job " + jobId + ")")
                + ": the connection broke during COMMIT and the old session " + sessionId
                + " still runs " + SESSION_END_TIMEOUT.toSeconds() + " s after KILL CONNECTION, so"
                + " whether the transaction was committed is still unknown; the caller may try"
                + " again (a write whose lease moved on is rejected)");
      }
      try {
        Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StoreException(
            "Interrupted while waiting for session " + sessionId + " to end after the cut-off"
                + " commit of '" + operation + "'; whether it was committed is unknown", e);
      }
      pause = Math.min(2 * pause, LONGEST_POLL.toNanos());
    }
  }

  /**
   * @param row the job's row now ({@code status}, {@code lease_token}), or null if it is gone
   * @param lastEventStatus the status of the job's newest history row, or null
   * @param lastEventNode the node of the job's newest history row, or null
   */
  static Verdict verdict(
      Completion c, String status, Long token, String lastEventStatus, String lastEventNode) {
    if (status == null || token == null || token != c.lease().token()) {
      return Verdict.GONE;
    }
    if (CompletionQueries.LIVE.contains(status)) {
      return Verdict.NOT_LANDED;
    }
    boolean expected =
        switch (c.outcome()) {
          case SUCCESS -> status.equals(JobStatus.SUCCESS.name());
          case WARNING -> status.equals(JobStatus.WARNING.name());
          case FAILURE -> status.equals(JobStatus.FAILURE.name());
          case CANCELED -> status.equals(JobStatus.CANCELED.name());
          case RETRY, RELEASE ->
              status.equals(JobStatus.PENDING.name()) || status.equals(JobStatus.CANCELED.name());
        };
    return expected && status.equals(lastEventStatus) && c.lease().owner().equals(lastEventNode)
        ? Verdict.LANDED
        : Verdict.GONE;
  }

  /**
   * What a call whose transaction committed did, or null if it did not commit (then nothing was
   * written and the caller may write again). In a committed call, a job whose lease is still live
   * with its token was passed over for a row lock (busy): had its write applied, it would have
   * landed, and had it been rejected, its lease could not be live now.
   */
  static WriteResult resultIfCommitted(Map<JobId, Verdict> verdicts) {
    if (!verdicts.containsValue(Verdict.LANDED)) {
      if (verdicts.containsValue(Verdict.NOT_LANDED)) {
        return null;
      }
      return WriteResult.rejected(verdicts.keySet()); // nothing left to write: every lease moved on
    }
    Set<JobId> rejected = new HashSet<>();
    Set<JobId> busy = new HashSet<>();
    verdicts.forEach((id, v) -> {
      if (v == Verdict.GONE) {
        rejected.add(id);
      } else if (v == Verdict.NOT_LANDED) {
        busy.add(id);
      }
    });
    return new WriteResult(rejected, busy);
  }

  /** Reads the rows and newest history rows of the completions' jobs and judges each. */
  static Map<JobId, Verdict> reread(DSLContext ctx, JobTables t, List<Completion> completions) {
    List<byte[]> ids = new ArrayList<>(completions.size());
    completions.forEach(c -> ids.add(c.lease().jobId().toBytes()));
    Map<JobId, Record> rows = new HashMap<>();
    for (Record r : ctx.select(ID, STATUS, LEASE_TOKEN).from(t.job).where(ID.in(ids)).fetch()) {
      rows.put(JobId.fromBytes(r.get(ID)), r);
    }
    Map<JobId, Record> lastEvents = new HashMap<>();
    for (Record r :
        ctx.select(EVENT_JOB_ID, EVENT_STATUS, EVENT_NODE).from(t.jobEvent)
            .where(EVENT_JOB_ID.in(ids))
            .orderBy(org.jooq.impl.DSL.field(org.jooq.impl.DSL.name("id")).desc())
            .fetch()) {
      lastEvents.putIfAbsent(JobId.fromBytes(r.get(EVENT_JOB_ID)), r);
    }
    Map<JobId, Verdict> verdicts = new HashMap<>();
    for (Completion c : completions) {
      JobId id = c.lease().jobId();
      Record row = rows.get(id);
      Record event = lastEvents.get(id);
      verdicts.put(
          id,
          verdict(
              c,
              row == null ? null : row.get(STATUS),
              row == null ? null : row.get(LEASE_TOKEN),
              event == null ? null : event.get(EVENT_STATUS),
              event == null ? null : event.get(EVENT_NODE)));
    }
    return verdicts;
  }
}
