package io.jobengine.mysql;

import io.jobengine.JobId;
import io.jobengine.spi.Completion;
import io.jobengine.spi.WriteResult;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of completions ({@link CompletionQueries#completeBatch}): the rows nobody else
 * holds locked are written at once, the locked ones reported busy, without waiting for any lock.
 *
 * <p>When the COMMIT was cut off (the connection broke after it was sent), the store ends the old
 * session and then judges by a re-read whether the transaction landed ({@link CommitOutcome}). If
 * it did, its result stands; if it provably did not, nothing of it was written, and the write is
 * made once more (at most {@link #WRITES} in all), fenced as always.
 */
final class CompletionWriter {

  private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);

  /** How many times a batch is written at most when its COMMITs are cut off and do not land. */
  static final int WRITES = 2;

  private final Db db;
  private final JobTables tables;

  CompletionWriter(Db db, JobTables tables) {
    this.db = db;
    this.tables = tables;
  }

  /**
   * Writes the completions (at most one per job) in one transaction.
   *
   * @param only the job of a single completion, for messages, or null
   * @return the jobs whose write was rejected by fencing, and those passed over for a row lock
   * @throws io.jobengine.StoreException if it failed; with a connection failure the outcome may be
   *     unknown (the caller may write again: a write whose lease moved on is rejected)
   */
  WriteResult complete(List<Completion> completions, JobId only) {
    String operation = "complete " + completions.size() + " job(s)";
    for (int write = 1; ; write++) {
      try {
        return writeOnce(completions, only, operation);
      } catch (CommitOutcome.UnknownException e) {
        // Once the old session is gone its transaction is final; then a re-read tells.
        CommitOutcome.endSession(db, e.sessionId(), operation, only);
        WriteResult result =
            CommitOutcome.resultIfCommitted(
                db.inTransaction(
                    "re-read " + completions.size() + " job(s) after an unknown commit", only,
                    ctx -> CommitOutcome.reread(ctx, tables, completions)));
        if (result != null) {
          log.info("The commit of '{}' was cut off, but a re-read shows it landed", operation);
          return result;
        }
        if (write >= WRITES) {
          throw StoreErrors.translate(
              operation + " (not committed, per a re-read, " + write + " times)", only,
              e.getCause(), write);
        }
        log.info(
            "The commit of '{}' was cut off and a re-read shows it did not land; writing it again",
            operation);
      }
    }
  }

  private WriteResult writeOnce(List<Completion> completions, JobId only, String operation) {
    return db.inTransaction(
        operation, only, ctx -> CompletionQueries.completeBatch(ctx, tables, completions));
  }
}
