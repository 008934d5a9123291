package io.jobengine.spi;

import io.jobengine.CancelResult;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobQuery;
import io.jobengine.JobStatus;
import io.jobengine.NodeInfo;
import java.sql.Connection;
import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where jobs live: the storage SPI of jobengine. The engine and the client talk to storage only
 * through this interface; retry policy, backoff, timeouts and dispatch stay in the engine.
 *
 * <h2>What every store guarantees</h2>
 *
 * <ul>
 *   <li><b>Time.</b> Every time the store writes (run times, lease expiries, created/started/
 *       finished/updated) comes from the store's own clock: the database's for a database store,
 *       an injected {@link java.time.Clock} for the in-memory store. Relative times ({@link
 *       NewJob#delay()}, {@link Completion#retryDelay()}, lease durations) are added to it.
 *   <li><b>Claim.</b> {@link #claim} takes PENDING jobs of the queue whose type is requested and
 *       whose run time has come, in order of priority (lower first), then run time, then id; at
 *       most {@code limit}. Each claimed job becomes RUNNING with its start time stamped (the
 *       claimer asks only for jobs it starts at once), gets the claimer as lease owner, a lease
 *       expiring {@code leaseDuration} from now, a fencing token larger than any it had, and
 *       {@code attempt + 1}. A job enqueued without max attempts ({@link NewJob#maxAttempts()}
 *       null) gets the request's value for its type ({@link ClaimRequest#maxAttempts()}), stored
 *       in the same write, and keeps it from then on (the reaper and every later claim use it).
 *       No job is handed to two claimers, however many claim at once. A
 *       store may let a claimer that is working through a backlog resume where its previous
 *       claim in the queue ended, if it reads the whole queue again within a bound it documents
 *       (the MySQL store: 100 ms unless configured) and at once after it enqueued or put back a
 *       job that sorts before that point itself: a job placed before it by another node is then
 *       claimed at most that bound later than strict order says.
 *   <li><b>Fencing.</b> A lease is <em>live</em> while the job's token equals the lease's token and
 *       its status is leased ({@link io.jobengine.JobStatus#isLeased()}: RUNNING or TO_CANCEL; and
 *       QUEUED, which no claim produces any more). Every write that takes a {@link Lease} applies
 *       only to live leases and returns the ids whose lease was not live: nothing was written for
 *       those, and the caller must not retry the write.
 *   <li><b>Leases.</b> {@link #renewLeases} extends only the live leases it is given. {@link
 *       #reapExpiredLeases} ends leases past their expiry: the job goes back to PENDING (due at
 *       once) if it has attempts left, to FAILURE if not, and to CANCELED if its cancel was
 *       requested.
 *   <li><b>Rows locked by others.</b> A store whose rows other transactions can lock (a database
 *       administrator's {@code SELECT ... FOR UPDATE}, a host application's transaction) never
 *       lets such a lock hold up the lease work on other rows: {@link #renewLeases} and {@link
 *       #reapExpiredLeases} pass over a locked row instead of waiting for it (the MySQL store
 *       selects the rows with {@code FOR UPDATE SKIP LOCKED}, then updates them by primary key
 *       with the same condition). A lease passed over by a renewal is reported {@linkplain
 *       LeaseRenewal#skipped() skipped}: not extended and not lost, its expiry stands; a row passed
 *       over by the reaper is reaped by a later call once it is free. {@link #cancelRequests}
 *       reads without locking and waits for no lock either. The same holds for the writes of
 *       attempts and nodes: {@link #complete} and {@link #reportProgress} write the rows nobody
 *       else holds locked at once and report the locked ones {@linkplain WriteResult#busy() busy}
 *       (nothing was written for them; the caller may write them again later), and {@link
 *       #nodeHeartbeat} reports {@link HeartbeatResult#BUSY} for a locked node row. A store whose
 *       rows nobody else can lock (the in-memory store) never reports busy.
 *   <li><b>Unique keys.</b> At most one job that has not ended holds a given unique key.
 *   <li><b>Idempotent enqueue.</b> Enqueueing an id that exists writes nothing and reports {@code
 *       created = false}.
 * </ul>
 *
 * <h2>Compatibility</h2>
 *
 * This SPI is versioned with jobengine. Until 1.0 it may change in a minor release; from 1.0,
 * methods are only added, as {@code default} methods, within a major version. Every store must pass
 * the store contract suite ({@code JobStoreContract} in jobengine-core's test-jar).
 *
 * <p>Implementations are thread-safe.
 */
public interface JobStore extends AutoCloseable {

  /** The payload limit of a store that sets none: 1 MiB of UTF-8. */
  int DEFAULT_MAX_PAYLOAD_BYTES = 1 << 20;

  /**
   * The largest payload, in UTF-8 bytes, that this store accepts. The client checks it before it
   * calls {@link #enqueue(List)}.
   *
   * @return the limit
   */
  default int maxPayloadBytes() {
    return DEFAULT_MAX_PAYLOAD_BYTES;
  }

  /**
   * Writes new jobs as PENDING, all or none.
   *
   * @param jobs the jobs
   * @return one result per job, in the same order
   * @throws io.jobengine.StoreException if the store failed; then no job was written
   */
  List<EnqueueResult> enqueue(List<NewJob> jobs);

  /**
   * Writes a new job with the caller's connection, inside the caller's transaction: the job
   * exists if and only if the caller commits. The store neither commits nor closes the connection.
   *
   * @param connection the caller's connection to the store's database
   * @param job the job
   * @return the result
   * @throws UnsupportedOperationException if this store has no JDBC transactions
   */
  default EnqueueResult enqueue(Connection connection, NewJob job) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not take part in JDBC transactions; "
            + "enqueue without a Connection, or use a database store");
  }

  /**
   * Ends an attempt with the caller's connection, inside the caller's transaction, without
   * committing: the completion (as {@link #complete} writes it, history row included) exists if
   * and only if the caller commits. The write is fenced like every other, and it keeps the job's
   * row locked until the caller's transaction ends. The store neither commits nor closes the
   * connection.
   *
   * <p>A store that implements this also implements {@link #completionLanded(Completion)}.
   *
   * @param connection the caller's connection to the store's database, with auto-commit off
   * @param completion the completion, SUCCESS or WARNING (the engine sends no other)
   * @return true if the completion was written in the caller's transaction; false if the lease was
   *     not live, and then nothing was written
   * @throws IllegalStateException if the connection is in auto-commit mode, does not reach this
   *     store's job tables, or the job was already ended by this lease
   * @throws IllegalArgumentException if the completion is neither SUCCESS nor WARNING
   * @throws UnsupportedOperationException if this store has no JDBC transactions
   */
  default boolean completeInTransaction(Connection connection, Completion completion) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not take part in JDBC transactions; "
            + "complete the job by returning from the handler, or use a database store");
  }

  /**
   * Whether a completion is what the store holds now: the job still carries the completion's lease
   * token, has the status the completion gives, and its newest history row is that status written
   * by the lease's owner. For a completion written in a caller's transaction ({@link
   * #completeInTransaction}), whose commit the engine did not see. Reads committed data only: a
   * transaction still open counts as not committed.
   *
   * @param completion the completion
   * @return true if it landed
   * @throws UnsupportedOperationException if this store has no JDBC transactions
   */
  default boolean completionLanded(Completion completion) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not take part in JDBC transactions");
  }

  /**
   * Claims due jobs under a lease (see the class documentation).
   *
   * @param request what to claim
   * @return the claimed jobs, now RUNNING, in claim order; possibly empty
   */
  List<ClaimedJob> claim(ClaimRequest request);

  /**
   * Writes the progress of running jobs.
   *
   * <p>Rows locked by others are passed over and reported busy; nothing was written for them; the
   * caller may write them again later. A lock held by another transaction thus costs the locked
   * rows only, and the call never waits for it.
   *
   * @param updates the updates; at most one per job
   * @return the jobs whose lease was not live ({@linkplain WriteResult#rejected() rejected}) and
   *     those passed over for a row lock ({@linkplain WriteResult#busy() busy}); the others were
   *     written
   */
  WriteResult reportProgress(List<ProgressUpdate> updates);

  /**
   * Ends attempts (see {@link Completion.Outcome}), each ending its lease.
   *
   * <p>Rows locked by others are passed over and reported busy; nothing was written for them; the
   * caller may write them again later (fenced as always: if the lease has moved on meanwhile, the
   * later write is rejected). A lock held by another transaction (an operator's {@code SELECT ...
   * FOR UPDATE}, a handler's transaction still open) thus costs the locked rows only: the other
   * completions of the call are written at once, and the call never waits for the lock.
   *
   * @param completions the completions; at most one per job
   * @return the jobs whose lease was not live ({@linkplain WriteResult#rejected() rejected}; the
   *     caller must not write them again) and those passed over for a row lock ({@linkplain
   *     WriteResult#busy() busy}); the others were written
   */
  WriteResult complete(List<Completion> completions);

  /**
   * Extends the given leases, if still live, to {@code leaseDuration} from now, and reports which
   * are no longer live and which of the live ones have a cancel request. A lease whose row another
   * transaction holds locked is not waited for: it is reported {@linkplain LeaseRenewal#skipped()
   * skipped} (its expiry stands), so one locked row costs the renewal of that row only.
   *
   * @param owner the node renewing; only leases it owns are extended
   * @param held the leases the node believes it holds
   * @param leaseDuration the new lease length
   * @return the lost leases, the cancel requests and the skipped leases
   */
  LeaseRenewal renewLeases(String owner, Collection<Lease> held, Duration leaseDuration);

  /**
   * Ends leases past their expiry (see the class documentation), at most a bound per call that
   * the store documents (the MySQL store: 500), passing over rows that another
   * transaction holds locked: so a call is short and never waits for a lock. Safe to run from
   * every node at once; a job is ended by one call only. Call again while it returns more than
   * zero to end every expired lease.
   *
   * @return how many jobs it changed
   */
  int reapExpiredLeases();

  /**
   * Reads which of the given leases are live with a cancel requested (status TO_CANCEL), without
   * changing anything and without waiting for row locks. The engine calls it about once a second
   * while it holds running jobs (never while idle), so that a cancel requested elsewhere reaches
   * the handler within about a second rather than at the next lease renewal.
   *
   * <p>The default reads each job with {@link #get} and, since {@link JobInfo} carries no token,
   * checks the lease's owner but not its token; a store should override it with one cheap query
   * that checks both (the MySQL store: primary-key lookups of the held ids).
   *
   * @param held the leases the node holds
   * @return the ids of the live leases among {@code held} whose cancel was requested
   */
  default Set<JobId> cancelRequests(Collection<Lease> held) {
    Set<JobId> requested = new HashSet<>();
    for (Lease lease : held) {
      get(lease.jobId())
          .filter(
              job -> job.status() == JobStatus.TO_CANCEL
                  && lease.owner().equals(job.leaseOwner()))
          .ifPresent(job -> requested.add(lease.jobId()));
    }
    return Set.copyOf(requested);
  }

  /**
   * Reads one job.
   *
   * @param id the id
   * @return the job, or empty if there is none with that id
   */
  Optional<JobInfo> get(JobId id);

  /**
   * Reads a page of jobs in id order.
   *
   * @param query the filters, cursor and page size
   * @return the page
   */
  JobPage list(JobQuery query);

  /**
   * Cancels a job: a PENDING one becomes CANCELED; a RUNNING (or QUEUED) one becomes TO_CANCEL with
   * its cancel requested (its node learns of it through {@link #cancelRequests} or the next lease
   * renewal); an ended one is left.
   *
   * @param id the id
   * @return what happened
   */
  CancelResult cancel(JobId id);

  /**
   * Puts a FAILURE or CANCELED job back to PENDING, due now, with its attempts reset to 0 and its
   * last error kept.
   *
   * @param id the id
   * @return true if the job was put back; false if it does not exist, has not ended in FAILURE or
   *     CANCELED, or another unfinished job now holds its unique key
   */
  boolean retry(JobId id);

  /**
   * Records a node in the node registry as alive, unless another live engine holds its name. One
   * name has one row, owned by the instance that registered it last ({@link
   * NodeRegistration#instance()}). The registration replaces the row when the row is its own
   * instance's, or the row's node stopped (deregistered), or its heartbeat is older than the row's
   * lease (by the store's clock): a node restarted after a clean stop or a crash takes its name
   * back. Otherwise nothing is written and the holder is returned, so that two engines never share
   * one row. Check and write are atomic: of two instances registering one name at once, one wins.
   *
   * @param node the node
   * @return empty if the node is now registered; else the live node of another instance that
   *     holds the name, as {@link #nodes()} would show it
   */
  Optional<NodeInfo> registerNode(NodeRegistration node);

  /**
   * Records a node's heartbeat: it is alive and holds {@code runningJobs} jobs. Only the instance
   * that owns the name's row writes it. A row another transaction holds locked is not waited for:
   * the heartbeat is then not recorded and {@link HeartbeatResult#BUSY} is returned, so that a lock
   * on the node's row never holds up the caller (the engine sends heartbeats between its lease
   * renewals).
   *
   * @param name the node name
   * @param instance the registering instance ({@link NodeRegistration#instance()})
   * @param runningJobs the jobs it holds
   * @return {@link HeartbeatResult#RECORDED}; {@link HeartbeatResult#BUSY} if the row is this
   *     instance's but locked by another transaction; {@link HeartbeatResult#NOT_OWNER} if the
   *     name's row belongs to another instance (it took the name over after this one's heartbeat
   *     went stale) or there is none
   */
  HeartbeatResult nodeHeartbeat(String name, String instance, int runningJobs);

  /**
   * Records that a node shut down cleanly. Only the instance that owns the name's row changes it;
   * for any other instance this does nothing.
   *
   * @param name the node name
   * @param instance the registering instance ({@link NodeRegistration#instance()})
   */
  void deregisterNode(String name, String instance);

  /**
   * The registered nodes, by name, with their state as of now: ALIVE, STOPPED, or DEAD when the
   * last heartbeat is older than the node's lease.
   *
   * @return the nodes
   */
  List<NodeInfo> nodes();

  /** Releases the store's resources (its own connection pool, if it made one). Idempotent. */
  @Override
  void close();
}
