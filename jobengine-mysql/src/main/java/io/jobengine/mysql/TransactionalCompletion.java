package io.jobengine.mysql;

import static io.jobengine.mysql.JobTables.ID;
import static io.jobengine.mysql.JobTables.LEASE_TOKEN;
import static io.jobengine.mysql.JobTables.STATUS;

import io.jobengine.JobId;
import io.jobengine.JobStatus;
import io.jobengine.spi.Completion;
import io.jobengine.spi.Completion.Outcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.jooq.exception.DataAccessException;

/**
 * An attempt's completion written in the caller's transaction ({@link
 * io.jobengine.spi.JobStore#completeInTransaction}), and the read that tells afterwards whether it
 * was committed.
 *
 * <p>The write is the batched completion's own SQL ({@link CompletionQueries#complete}) on the
 * caller's connection: for SUCCESS one fenced UPDATE and the history row copied from the job; for
 * WARNING a locking read, the UPDATE and the history INSERT. The UPDATE leaves the job's row
 * X-locked until the caller's transaction ends, so neither the reaper nor another node's claim can
 * change the job in between: the caller's effects and the job's end commit together or not at all.
 * Unlike the engine's batched writes, this write waits for a row lock as any statement of the
 * caller's transaction would (the lock may be the caller's own); the caller's transaction bounds
 * the wait.
 * Nothing is retried here: a deadlock has rolled back the caller's transaction, which only the
 * caller can run again.
 *
 * <p>Isolation does not matter: the fenced UPDATE and the locking read are current reads whatever
 * the caller's isolation level, and the history copy reads the row this transaction just wrote.
 */
final class TransactionalCompletion {

  private TransactionalCompletion() {}

  /**
   * Writes the completion on the caller's connection, without committing.
   *
   * @return true if written, false if the lease was not live (nothing written)
   */
  static boolean complete(Db db, JobTables tables, Connection connection, Completion completion) {
    if (completion.outcome() != Outcome.SUCCESS && completion.outcome() != Outcome.WARNING) {
      throw new IllegalArgumentException(
          "Only SUCCESS or WARNING can be written in the caller's transaction, got "
              + completion.outcome() + " for job " + completion.lease().jobId());
    }
    requireTransaction(connection, completion.lease().jobId());
    DSLContext ctx = db.using(connection);
    JobId id = completion.lease().jobId();
    try {
      Set<JobId> rejected;
      try {
        rejected = CompletionQueries.complete(ctx, tables, List.of(completion));
      } catch (CompletionQueries.NotAllLive e) {
        // The SUCCESS UPDATE matched no row and wrote nothing; the caller's transaction goes on.
        rejected = Set.of(id);
      }
      if (rejected.isEmpty()) {
        return true;
      }
      explainRejection(ctx, tables, completion);
      return false;
    } catch (DataAccessException e) {
      if (StoreErrors.errorCode(e) == StoreErrors.ER_NO_SUCH_TABLE) {
        throw new IllegalStateException(
            "Could not complete job " + id + " in the caller's transaction: the caller's"
                + " connection does not reach the store's tables (" + e.getMessage() + "). The"
                + " connection must be to the store's database, the one holding the tables "
                + tables.prefix + "*", e);
      }
      throw StoreErrors.translate("complete a job in the caller's transaction", id, e, 1);
    }
  }

  /**
   * A rejected completion is a lost lease, unless the row says the connection is wrong or this
   * lease already ended the job (a second call): those are the caller's mistakes, said plainly.
   */
  private static void explainRejection(DSLContext ctx, JobTables tables, Completion completion) {
    JobId id = completion.lease().jobId();
    Record2<String, Long> row =
        ctx.select(STATUS, LEASE_TOKEN).from(tables.job).where(ID.eq(id.toBytes())).fetchOne();
    if (row == null) {
      throw new IllegalStateException(
          "Could not complete job " + id + " in the caller's transaction: the caller's connection"
              + " does not see the job in table " + tables.prefix + "job. The connection must be to"
              + " the store's database");
    }
    String status = row.value1();
    boolean ended =
        JobStatus.SUCCESS.name().equals(status) || JobStatus.WARNING.name().equals(status);
    if (ended && row.value2() != null && row.value2() == completion.lease().token()) {
      // Only an attempt's completion ends a job in SUCCESS or WARNING, never the reaper.
      throw new IllegalStateException(
          "Job " + id + " was already completed (" + status + ") by this attempt (token "
              + completion.lease().token() + "); complete it once per transaction");
    }
  }

  /** A connection in auto-commit would commit the completion apart from the caller's writes. */
  private static void requireTransaction(Connection connection, JobId id) {
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } catch (SQLException e) {
      throw StoreErrors.translate("complete a job in the caller's transaction", id, e, 1);
    }
    if (autoCommit) {
      throw new IllegalStateException(
          "Could not complete job " + id + " in the caller's transaction: the connection is in"
              + " auto-commit mode, so the completion would commit on its own, apart from the"
              + " caller's writes. Call connection.setAutoCommit(false) first");
    }
  }

  /** Whether the completion is in the committed rows: see {@link CommitOutcome#verdict}. */
  static boolean landed(DSLContext ctx, JobTables tables, Completion completion) {
    return CommitOutcome.reread(ctx, tables, List.of(completion)).get(completion.lease().jobId())
        == CommitOutcome.Verdict.LANDED;
  }
}
