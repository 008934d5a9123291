package io.jobengine.spi;

import io.jobengine.JobNames;
import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
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
 * @param maxAttempts for each of {@code types}, the most attempts of the node's handler (its retry
 *     policy's): a claimed job whose max attempts are unset (its request set none) gets this
 *     value, stored with the claim, so the job keeps it from then on
 */
public record ClaimRequest(
    String owner,
    String queue,
    Set<String> types,
    int limit,
    Duration leaseDuration,
    Map<String, Integer> maxAttempts) {

  /**
   * Checks the request.
   *
   * @throws IllegalArgumentException if a name is invalid, {@code types} is empty, the limit is
   *     below 1, the lease is not positive, or {@code maxAttempts} does not give a value of at
   *     least 1 for exactly the {@code types}
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
    maxAttempts = Map.copyOf(Objects.requireNonNull(maxAttempts, "maxAttempts"));
    if (!maxAttempts.keySet().equals(types)) {
      throw new IllegalArgumentException(
          "maxAttempts must give a value for each type and no other: types " + types
              + ", maxAttempts " + maxAttempts);
    }
    maxAttempts.forEach(
        (type, max) -> {
          if (max < 1) {
            throw new IllegalArgumentException(
                "maxAttempts of type '" + type + "' must be at least 1, got " + max);
          }
        });
  }

  /**
   * A claim whose jobs without max attempts get {@link RetryPolicy#DEFAULT_MAX_ATTEMPTS}, whatever
   * their type.
   *
   * @param owner the claiming node
   * @param queue the queue
   * @param types the job types the node has handlers for
   * @param limit the most jobs
   * @param leaseDuration the lease
   */
  public ClaimRequest(
      String owner, String queue, Set<String> types, int limit, Duration leaseDuration) {
    this(owner, queue, types, limit, leaseDuration, defaultMaxAttempts(types));
  }

  /**
   * The max attempts a claimed job of {@code type} gets if it has none.
   *
   * @param type one of {@link #types()}
   * @return the value, at least 1
   * @throws IllegalArgumentException if the type is not one of this request's
   */
  public int maxAttemptsOf(String type) {
    Integer max = maxAttempts.get(type);
    if (max == null) {
      throw new IllegalArgumentException("Type '" + type + "' is not one this claim asked for");
    }
    return max;
  }

  private static Map<String, Integer> defaultMaxAttempts(Set<String> types) {
    Map<String, Integer> defaults = new LinkedHashMap<>();
    for (String type : Objects.requireNonNull(types, "types")) {
      defaults.put(type, RetryPolicy.DEFAULT_MAX_ATTEMPTS);
    }
    return defaults;
  }
}
