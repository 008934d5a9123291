package io.jobengine;

import java.sql.Connection;
import java.time.Instant;
import java.util.Optional;

/**
 * What a running handler knows about its job and how it talks back to the engine. One context per
 * attempt; its methods may be called from the handler's thread and from threads it starts.
 *
 * <p><b>Limits.</b> Every text a handler hands the engine is stored with its job, so each is
 * bounded where it enters, and a text cut short ends in {@code "... (truncated)"}:
 *
 * <ul>
 *   <li>a progress message: {@value #MAX_PROGRESS_MESSAGE_LENGTH} characters;
 *   <li>a warning: {@value #MAX_WARNING_LENGTH} characters; at most {@value #MAX_WARNINGS}
 *       warnings of at most {@value #MAX_WARNINGS_TOTAL_LENGTH} characters in all are kept per
 *       attempt (a warning that does not fit the rest of that budget is cut to it, or dropped
 *       when little is left), and when any were dropped a last note says how many;
 *   <li>the stored text of what a handler throws: {@value #MAX_ERROR_LENGTH} characters, with at
 *       most a few dozen frames per exception and twenty causes.
 * </ul>
 *
 * <p>So one attempt's outcome is a few tens of kilobytes at most, whatever the handler passes, and
 * cannot make the store's batched write fail for the other jobs written with it.
 */
public interface JobContext {

  /** The longest progress message kept, in characters. */
  int MAX_PROGRESS_MESSAGE_LENGTH = 1000;

  /** The longest warning kept, in characters. */
  int MAX_WARNING_LENGTH = 2000;

  /** The most warnings kept per attempt, not counting the note on dropped ones. */
  int MAX_WARNINGS = 100;

  /** The most characters of warnings kept per attempt, in all. */
  int MAX_WARNINGS_TOTAL_LENGTH = 20_000;

  /** The longest stored text of what a handler threw, in characters. */
  int MAX_ERROR_LENGTH = 8000;

  /**
   * @return the job's id
   */
  JobId jobId();

  /**
   * @return the job's type
   */
  String type();

  /**
   * @return the queue the job was claimed from
   */
  String queue();

  /**
   * @return the name of the node running this attempt
   */
  String nodeName();

  /**
   * The number of this attempt, from 1. Counted when the job is claimed, so a job whose attempts
   * crash the process still runs out of attempts.
   *
   * @return the attempt number
   */
  int attempt();

  /**
   * @return how many attempts the job has at most
   */
  int maxAttempts();

  /**
   * When this attempt times out, if it has a timeout.
   *
   * @return the deadline, or empty when the attempt has no timeout
   */
  Optional<Instant> deadline();

  /**
   * The fencing token of this attempt's lease. It grows with every claim of the job, so a system
   * the handler writes to can reject a write that carries a smaller token than one it has seen:
   * the write of a stale attempt whose lease another node has taken over.
   *
   * @return the token
   */
  long fencingToken();

  /**
   * Reports progress. Stored and visible to {@link JobClient#get(JobId)} while the job runs;
   * frequent calls are coalesced, the last value wins.
   *
   * @param percent from 0 to 100
   * @param message a short human-readable note, or null; cut to {@value
   *     #MAX_PROGRESS_MESSAGE_LENGTH} characters
   * @throws IllegalArgumentException if {@code percent} is out of range
   */
  void progress(int percent, String message);

  /**
   * Records a warning. A job that returns normally after a warning ends in {@link
   * JobStatus#WARNING} instead of SUCCESS, with its warnings stored.
   *
   * @param message the warning; cut to {@value #MAX_WARNING_LENGTH} characters, and kept only
   *     within the attempt's budget of {@value #MAX_WARNINGS} warnings and {@value
   *     #MAX_WARNINGS_TOTAL_LENGTH} characters
   */
  void warn(String message);

  /**
   * Whether this attempt should stop, for any reason: the job was canceled, the lease was lost,
   * the timeout passed or the engine is shutting down. {@link #stopReason()} tells which; {@link
   * #checkpoint()} throws instead of answering.
   *
   * @return true if the handler should stop as soon as it can
   */
  boolean isStopRequested();

  /**
   * Why this attempt should stop, if it should.
   *
   * @return the reason, or empty while the attempt may go on
   */
  Optional<JobStoppedException.Reason> stopReason();

  /**
   * Returns if the attempt may go on, throws if it should stop. Call it between steps of long work.
   *
   * @throws JobStoppedException if the job was canceled, the lease was lost, the timeout passed or
   *     the engine is shutting down
   */
  void checkpoint();

  /**
   * Ends this attempt inside the handler's own database transaction, so that the handler's writes
   * and the job's end commit together or not at all: exactly once for effects in the store's
   * database, even if this process dies or is paused at any point and another node runs the job
   * again.
   *
   * <p>Writes, on {@code connection} and without committing, the same fenced completion the engine
   * writes when a handler returns: SUCCESS, or WARNING with the warnings given so far, and the
   * job's history row. The write applies only while this attempt's lease is live, and it holds the
   * job's row locked until the transaction ends, so no other node can take the job over in
   * between. If the transaction commits, the job has ended; if it rolls back, nothing of it
   * happened and the lease is as it was. Call it as the last statement before the commit, and
   * commit at once: until then this node's lease renewals, progress writes and cancels of the job
   * wait for the row lock.
   *
   * <pre>{@code
   * public void run(Order order, JobContext ctx) throws SQLException {
   *   try (Connection c = dataSource.getConnection()) {   // the store's database
   *     c.setAutoCommit(false);
   *     try (PreparedStatement s = c.prepareStatement("INSERT INTO shipment (order_id) VALUES (?)")) {
   *       s.setLong(1, order.id());
   *       s.executeUpdate();
   *     }
   *     ctx.completeInTransaction(c);   // throws if another attempt has the job: no commit then
   *     c.commit();
   *   }                                 // closing without a commit rolls back
   * }
   * }</pre>
   *
   * <p>With jOOQ: {@code dsl.transaction(tx -> { ...; tx.dsl().connection(ctx::completeInTransaction); })}.
   *
   * <p>When the handler returns, the engine reads the job back: if the completion was committed it
   * writes nothing more. If it was not (the handler rolled back, or returned without committing)
   * and the lease is still live, the attempt fails with an error saying so and is retried as its
   * retry policy says; a handler that throws is treated as usual. The engine does not ask
   * whether the attempt was told to stop (cancel, timeout, shutdown): work that is done and
   * committed stands, and the lease alone decides. Warnings given after this call are not stored.
   * A transaction that rolled back may call it again in its next transaction.
   *
   * @param connection the handler's connection to the store's database, with auto-commit off; the
   *     engine neither commits nor closes it
   * @throws JobStoppedException with {@link JobStoppedException.Reason#LEASE_LOST} if this attempt's
   *     lease is no longer live (another attempt may own the job): nothing was written, and the
   *     handler must roll back; with the attempt's stop reason if the engine has already recorded
   *     this attempt's outcome (a handler stuck past its timeout, or shutdown)
   * @throws IllegalStateException if the connection is in auto-commit mode, does not reach the
   *     store's job tables, or this attempt already completed the job
   * @throws UnsupportedOperationException if the store has no JDBC transactions (the in-memory
   *     store)
   * @throws StoreException if the write failed; the handler should roll back
   */
  default void completeInTransaction(Connection connection) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " cannot complete a job in the handler's transaction");
  }
}
