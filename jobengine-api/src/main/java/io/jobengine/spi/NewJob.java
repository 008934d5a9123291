package io.jobengine.spi;

import io.jobengine.JobId;
import io.jobengine.JobNames;
import io.jobengine.JobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as the client hands it to the store: a request whose payload is already encoded. Its
 * {@code maxAttempts} stays unset unless the request set it: the claim resolves it from the
 * claiming node's handler (see {@link ClaimRequest#maxAttempts()}), so that every client, with or
 * without an engine, stores the same thing.
 *
 * @param id the id
 * @param type the handler type
 * @param queue the queue
 * @param priority lower runs first
 * @param payload the payload as JSON text
 * @param runAt the earliest run time, or null to use {@code delay}
 * @param delay how long after the store receives it that the job may run (by the store's clock)
 * @param maxAttempts the most attempts, at least 1; null for the retry policy of the handler that
 *     claims it
 * @param timeout the per-attempt timeout, or null
 * @param uniqueKey the unique key, or null
 */
public record NewJob(
    JobId id,
    String type,
    String queue,
    int priority,
    String payload,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    Duration timeout,
    String uniqueKey) {

  /**
   * Checks the job.
   *
   * @throws NullPointerException if a required field is null
   * @throws IllegalArgumentException if a name is invalid, a number out of range, or the run time
   *     out of the bounds of {@link JobRequest#requireRunAt} and {@link JobRequest#requireDelay}
   */
  public NewJob {
    Objects.requireNonNull(id, "id");
    JobNames.requireType(type);
    JobNames.requireQueue(queue);
    Objects.requireNonNull(payload, "payload");
    JobRequest.requireDelay(delay);
    if (runAt != null) {
      JobRequest.requireRunAt(runAt);
    }
    if (maxAttempts != null && maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
  }

  /**
   * The job without its payload, which may hold secrets and has no place in logs.
   *
   * @return the fields but the payload, of which only the length shows
   */
  @Override
  public String toString() {
    return "NewJob[id=" + id + ", type=" + type + ", queue=" + queue + ", priority=" + priority
        + ", payload=" + payload.length() + " chars, runAt=" + runAt + ", delay=" + delay
        + ", maxAttempts=" + maxAttempts + ", timeout=" + timeout + ", uniqueKey=" + uniqueKey
        + "]";
  }
}
