package io.jobengine.spi;

import io.jobengine.JobNames;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Asks the store for due jobs of one queue. The claimer runs every job it claims at once (it asks
 * only for as many as it has free worker threads), so the store makes them RUNNING.
 *
 * @param owner the claiming node; becomes the lease owner
 * @param queue the queue to claim from
 * @param types the job types the node has handlers for; only these are claimed
 * @param limit the most jobs to claim, at least 1
 * @param leaseDuration how long the leases last unless renewed
 */
public record ClaimRequest(
    String owner, String queue, Set<String> types, int limit, Duration leaseDuration) {

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
}
