package io.jobengine;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A snapshot of one job as the store last saw it. Times are the store's (the database's, for a
 * database store), in UTC. Fields that a job does not have yet are null.
 *
 * @param id the id
 * @param type the handler type
 * @param queue the queue
 * @param status the status
 * @param priority lower runs first
 * @param payload the payload as JSON text
 * @param runAt when it may run (next), at the earliest
 * @param attempt how many attempts have started, 0 before the first claim
 * @param maxAttempts how many attempts it has at most; null until its first claim when the request
 *     set none (the claiming node's handler's retry policy decides it then)
 * @param timeout the per-attempt timeout, or null for the handler's (or none)
 * @param uniqueKey the unique key, or null
 * @param leaseOwner the node holding its lease, or null when no node does
 * @param leaseExpiresAt when that lease runs out unless renewed, or null
 * @param cancelRequested whether cancel was requested while it was claimed or running
 * @param progressPercent the last reported progress, 0 to 100, or null
 * @param progressMessage the last reported progress message, or null
 * @param warnings the warnings of the running attempt so far, or of the attempt that ended the job;
 *     empty if none
 * @param lastError the error of the last failed attempt, truncated, or null
 * @param createdAt when it was enqueued
 * @param startedAt when its last attempt started running, or null
 * @param finishedAt when it ended, or null while it has not
 * @param updatedAt when its row last changed
 */
public record JobInfo(
    JobId id,
    String type,
    String queue,
    JobStatus status,
    int priority,
    String payload,
    Instant runAt,
    int attempt,
    Integer maxAttempts,
    Duration timeout,
    String uniqueKey,
    String leaseOwner,
    Instant leaseExpiresAt,
    boolean cancelRequested,
    Integer progressPercent,
    String progressMessage,
    List<String> warnings,
    String lastError,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant updatedAt) {

  /**
   * Checks the required fields and copies the warnings.
   *
   * @throws NullPointerException if a required field is null
   */
  public JobInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(runAt, "runAt");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  /**
   * The last error, if an attempt failed.
   *
   * @return the error text
   */
  public Optional<String> error() {
    return Optional.ofNullable(lastError);
  }

  /**
   * The job without its payload, which may hold secrets and has no place in logs.
   *
   * @return the fields but the payload, of which only the length shows
   */
  @Override
  public String toString() {
    return "JobInfo[id=" + id + ", type=" + type + ", queue=" + queue + ", status=" + status
        + ", priority=" + priority + ", payload=" + (payload == null ? "null" : payload.length()
        + " chars") + ", runAt=" + runAt + ", attempt=" + attempt + ", maxAttempts=" + maxAttempts
        + ", timeout=" + timeout + ", uniqueKey=" + uniqueKey + ", leaseOwner=" + leaseOwner
        + ", leaseExpiresAt=" + leaseExpiresAt + ", cancelRequested=" + cancelRequested
        + ", progressPercent=" + progressPercent + ", progressMessage=" + progressMessage
        + ", warnings=" + warnings + ", lastError=" + lastError + ", createdAt=" + createdAt
        + ", startedAt=" + startedAt + ", finishedAt=" + finishedAt + ", updatedAt=" + updatedAt
        + "]";
  }
}
