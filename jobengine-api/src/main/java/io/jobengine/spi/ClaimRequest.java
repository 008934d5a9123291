package io.jobengine.spi;

import io.jobengine.JobNames;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Asks the store for due jobs of one queue.
 *
 * @param owner the claiming node; becomes the lease owner
 * @param queue the queue to claim from
 * @param types the job types the node has handlers for; only these are claimed
 * @param limit the most jobs to claim, at least 1
 * @param leaseDuration how long the leases last unless renewed
 * @param startNow true when the claimer has a free worker thread for every job it claims and
 *     starts them at once: the jobs then go straight to RUNNING with their start time stamped,
 *     saving the separate {@link JobStore#markRunning} write; false leaves them QUEUED (for a
 *     claimer that prefetches jobs ahead of free threads)
 */
public record ClaimRequest(
    String owner,
    String queue,
    Set<String> types,
    int limit,
    Duration leaseDuration,
    boolean startNow) {

  /**
   * Checks the request.
   *
   * @throws IllegalArgumentException if a name is invalid, {@code types} is empty, the limit is
   *     below 1 or the lease is not positive
   */
  public ClaimRequest {
    JobNames.requireNode(owner);
    JobNames.requireQueue(queue);
    types = Set.copyOf(Objects.requireNonNull(types, "types"));
    if (types.isEmpty()) {
      throw new IllegalArgumentException("types must not be empty: a node claims only what it can run");
    }
    types.forEach(JobNames::requireType);
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    Objects.requireNonNull(leaseDuration, "leaseDuration");
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("leaseDuration must be positive, got " + leaseDuration);
    }
  }

  /**
   * A claim that leaves the jobs QUEUED, to be marked RUNNING by {@link JobStore#markRunning}.
   *
   * @param owner the claiming node
   * @param queue the queue
   * @param types the job types the node has handlers for
   * @param limit the most jobs
   * @param leaseDuration the lease
   */
  public ClaimRequest(
      String owner, String queue, Set<String> types, int limit, Duration leaseDuration) {
    this(owner, queue, types, limit, leaseDuration, false);
  }
}
