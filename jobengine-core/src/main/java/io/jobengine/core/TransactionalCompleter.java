package io.jobengine.core;

import io.jobengine.JobContext;
import io.jobengine.JobStoppedException;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.Completion;
import io.jobengine.spi.JobStore;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Completion in the handler's own transaction ({@link JobContext#completeInTransaction}): the
 * fenced write on the handler's connection, and, once the handler has returned, finding out
 * whether that transaction committed.
 *
 * <p>The engine does not see the handler's commit, so it reads the job back ({@link
 * JobStore#completionLanded}): a completion that landed needs no further write. One that did not
 * (rolled back, never committed, or its commit cut off) is followed by the outcome the engine
 * decides, fenced by the lease like every outcome: if the lease is still live that outcome lands;
 * if the handler's commit did land after all (a COMMIT still in flight when the read ran), the
 * store passes over the row while that transaction holds it locked (the outcome is reported busy
 * and written again later, see {@link OutcomeWriter}) and refuses the outcome once it has
 * committed. Either way one outcome stands.
 */
final class TransactionalCompleter {
  private static final Logger log = LoggerFactory.getLogger(TransactionalCompleter.class);

  private final JobStore store;
  private final ProgressFlusher progress;

  TransactionalCompleter(JobStore store, ProgressFlusher progress) {
    this.store = store;
    this.progress = progress;
  }

  /** On the handler's thread: writes SUCCESS or WARNING on its connection, without committing. */
  void complete(RunningJob running, Connection connection) {
    Objects.requireNonNull(connection, "connection");
    if (running.outcomeClaimed()) {
      // The timeout watchdog or shutdown has recorded this attempt's outcome already.
      Reason reason = running.stopReason() == null ? Reason.LEASE_LOST : running.stopReason();
      throw new JobStoppedException(
          reason,
          "Could not complete " + running + " in the handler's transaction: the engine has"
              + " already recorded its outcome (" + reason + "); roll the transaction back");
    }
    List<String> warnings = running.warnings();
    Completion completion =
        warnings.isEmpty()
            ? Completion.success(running.lease())
            : Completion.warning(running.lease(), warnings);
    Completion earlier = running.completedInTransaction();
    if (earlier == null) {
      // The last progress report lands before the handler's transaction locks the job's row;
      // after this nothing more is reported for the attempt.
      progress.flush(running);
    }
    // Set before the write: a write that fails half-way may still be committed by the handler.
    running.completedInTransaction(completion);
    boolean written;
    try {
      written = store.completeInTransaction(connection, completion);
    } catch (UnsupportedOperationException | IllegalArgumentException | IllegalStateException e) {
      // Refused (no JDBC store, auto-commit, wrong database, completed already): this call wrote
      // nothing. A StoreException may come half-way through a write, so that one is read back.
      running.completedInTransaction(earlier);
      throw e;
    }
    if (!written) {
      // Nothing was written: the attempt ends as one whose lease was lost, not one to read back.
      running.completedInTransaction(earlier);
      throw new JobStoppedException(
          Reason.LEASE_LOST,
          "Could not complete " + running + " in the handler's transaction: this node no longer"
              + " holds its lease (token " + running.lease().token() + "), another attempt may own"
              + " the job; nothing was written, roll the transaction back");
    }
  }

  /**
   * After the handler returned or threw: whether it completed the job in its own transaction and
   * that transaction committed. Then the attempt has ended and nothing more is written (the
   * outcome is claimed here, so that neither timeout nor shutdown writes one). Otherwise the engine
   * decides and writes the attempt's outcome as usual; {@link OutcomeDecider} makes a handler that
   * returned normally without committing a failure.
   *
   * @return true if the attempt ended in the handler's transaction
   */
  boolean endedInTransaction(RunningJob running) {
    Completion written = running.completedInTransaction();
    if (written == null) {
      return false;
    }
    boolean landed;
    try {
      landed = store.completionLanded(written);
    } catch (RuntimeException e) {
      // The outcome written instead is fenced: the store refuses it if that commit did land.
      log.warn(
          "Could not read back {} to learn whether its handler's transaction committed; writing"
              + " the attempt's outcome under its lease, which the store refuses if that commit"
              + " landed: {}",
          running, e.toString());
      return false;
    }
    if (!landed) {
      return false;
    }
    if (!running.claimOutcome()) {
      log.info(
          "{} ended in its handler's transaction, which committed before the outcome the engine"
              + " recorded meanwhile (timeout or shutdown); the lease refused the engine's",
          running);
    } else if (written.outcome() == Completion.Outcome.WARNING) {
      log.info(
          "{} finished with warnings, committed in its handler's transaction: {}",
          running, written.warnings());
    } else {
      log.debug("{} succeeded, committed in its handler's transaction", running);
    }
    return true;
  }
}
