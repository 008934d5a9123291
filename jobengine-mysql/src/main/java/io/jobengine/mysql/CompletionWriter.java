package io.jobengine.mysql;

import io.jobengine.JobId;
import io.jobengine.spi.Completion;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a batch of completions: first the fast path ({@link CompletionQueries#complete}), then,
 * when some lease was no longer live, the locked path that writes the live ones; and when the
 * COMMIT was cut off, judges by a re-read ({@link CommitOutcome}) whether it landed.
 */
final class CompletionWriter {

  private static final Logger log = LoggerFactory.getLogger(CompletionWriter.class);

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
   * @return the jobs whose write was rejected by fencing
   */
  Set<JobId> complete(List<Completion> completions, JobId only) {
    String operation = "complete " + completions.size() + " job(s)";
    try {
      try {
        return db.inTransaction(
            operation, only, ctx -> CompletionQueries.complete(ctx, tables, completions));
      } catch (CompletionQueries.NotAllLive e) {
        return db.inTransaction(
            operation, only, ctx -> CompletionQueries.completeLocked(ctx, tables, completions));
      }
    } catch (CommitOutcome.UnknownException e) {
      // Re-read on a fresh connection: did the commit land before the connection broke?
      Set<JobId> rejected =
          CommitOutcome.rejectedIfCommitted(
              db.inTransaction(
                  "re-read " + completions.size() + " job(s) after an unknown commit", only,
                  ctx -> CommitOutcome.reread(ctx, tables, completions)));
      if (rejected == null) {
        throw StoreErrors.translate(
            operation + " (not committed, per a re-read)", only, e.getCause(), 1);
      }
      log.info("The commit of '{}' was cut off, but a re-read shows it landed", operation);
      return rejected;
    }
  }
}
