package io.jobengine.spi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job the store handed to a node: what the node needs to run it, and the lease that fences
 * every write of this attempt. Its status is RUNNING (TO_CANCEL once a cancel is requested).
 *
 * @param lease the lease
 * @param type the handler type
 * @param queue the queue
 * @param payload the payload as JSON text
 * @param attempt this attempt's number, from 1 (already counted)
 * @param maxAttempts the most attempts
 * @param timeout the per-attempt timeout from the request, or null
 * @param priority the priority
 * @param createdAt when the job was enqueued
 */
public record ClaimedJob(
    Lease lease,
    String type,
    String queue,
    String payload,
    int attempt,
    int maxAttempts,
    Duration timeout,
    int priority,
    Instant createdAt) {

  /** Checks the required fields. */
  public ClaimedJob {
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(createdAt, "createdAt");
  }

  /**
   * The job without its payload, which may hold secrets and has no place in logs.
   *
   * @return the fields but the payload, of which only the length shows
   */
  @Override
  public String toString() {
    return "ClaimedJob[lease=" + lease + ", type=" + type + ", queue=" + queue + ", payload="
        + payload.length() + " chars, attempt=" + attempt + ", maxAttempts=" + maxAttempts
        + ", timeout=" + timeout + ", priority=" + priority + ", createdAt=" + createdAt + "]";
  }
}
