package io.jobengine;

import io.jobengine.spi.JobStore;
import java.sql.Connection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Creates, reads, cancels and retries jobs. Every engine has one ({@code engine.client()}); an
 * application that only creates jobs and runs no workers makes one with {@link #of(JobStore)}.
 *
 * <p>Thread-safe.
 */
public interface JobClient {

  /**
   * Enqueues a job. If the request's id already exists, or an unfinished job already holds its
   * unique key, nothing is written and the existing job's id is returned.
   *
   * @param request the job
   * @return the job's id
   * @throws PayloadException if the payload cannot be encoded or is larger than the store accepts
   * @throws StoreException if the store failed; enqueueing the same request again is safe
   */
  JobId enqueue(JobRequest request);

  /**
   * Enqueues several jobs, all or none, in one write where the store can.
   *
   * @param requests the jobs
   * @return their ids, in order (an existing job's id for a duplicate)
   * @throws PayloadException if a payload cannot be encoded or is too large; nothing is written
   * @throws StoreException if the store failed; nothing is written
   */
  List<JobId> enqueueAll(List<JobRequest> requests);

  /**
   * Enqueues a job inside the caller's JDBC transaction: the job exists if and only if the caller
   * commits. The client neither commits nor closes the connection.
   *
   * @param connection a connection to the store's database, in the caller's transaction
   * @param request the job
   * @return the job's id
   * @throws UnsupportedOperationException if the store has no JDBC transactions
   */
  JobId enqueue(Connection connection, JobRequest request);

  /**
   * Reads a job.
   *
   * @param id the id
   * @return the job, or empty if none has that id
   */
  Optional<JobInfo> get(JobId id);

  /**
   * Lists jobs.
   *
   * @param query filters and paging
   * @return a page of jobs, oldest first
   */
  JobPage list(JobQuery query);

  /**
   * Cancels a job. A job that has not started is canceled at once; a running one becomes TO_CANCEL
   * and its handler is stopped by its node: at once when this is that engine's client, within
   * about a second otherwise (a node that runs jobs reads their cancel requests every second).
   *
   * @param id the id
   * @return what happened
   */
  CancelResult cancel(JobId id);

  /**
   * Runs a FAILURE or CANCELED job again: it goes back to PENDING with fresh attempts.
   *
   * @param id the id
   * @return true if it was put back; false if it does not exist or is not in FAILURE or CANCELED
   */
  boolean retry(JobId id);

  /**
   * The engine nodes of the cluster, alive, stopped and dead: which processes run jobs, since
   * when, with which queues, and how long ago each last reported.
   *
   * @return the nodes, by name
   */
  List<NodeInfo> nodes();

  /**
   * A client for an application that only creates and reads jobs. Payloads are encoded by the
   * {@link PayloadCodec} found through {@link java.util.ServiceLoader} (jobengine-core provides
   * one). A request without {@code maxAttempts} is stored without, as by an engine's client: the
   * retry policy of the handler of the node that first claims the job decides it.
   *
   * @param store the store
   * @return the client
   * @throws IllegalStateException if no codec is on the class path
   */
  static JobClient of(JobStore store) {
    return of(store, StoreJobClient.discoverCodec());
  }

  /**
   * A client with the given codec.
   *
   * @param store the store
   * @param codec the payload codec
   * @return the client
   */
  static JobClient of(JobStore store, PayloadCodec codec) {
    return new StoreJobClient(
        Objects.requireNonNull(store, "store"), Objects.requireNonNull(codec, "codec"));
  }
}
