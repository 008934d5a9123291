package io.jobengine;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A job to enqueue: its type, its payload and how it should run. Immutable; build one with {@link
 * #of(String, Object)} or {@link #builder(String)}.
 *
 * <p>The id is generated when the request is built, so enqueueing the same request object twice
 * (for instance after an error whose commit outcome was unknown) writes one job, not two.
 *
 * @param id the job's id, generated at build unless given
 * @param type the handler type that runs it; see {@link JobNames#TYPE}
 * @param payload the value the handler receives, encoded as JSON by the client's codec; may be null
 * @param queue the queue it waits in; see {@link JobNames#QUEUE}
 * @param priority lower numbers run first, from {@value #MIN_PRIORITY} to {@value #MAX_PRIORITY}
 * @param runAt when it may run at the earliest, or null to use {@code delay}; from {@link
 *     #EARLIEST_RUN_AT} to {@link #LATEST_RUN_AT}
 * @param delay how long after the store receives it that it may run; zero unless given, and short
 *     enough that the run time stays before {@link #LATEST_RUN_AT}
 * @param maxAttempts how many times it may run at most, or null for the retry policy of the handler
 *     of the node that first claims it
 * @param timeout how long one attempt may run, or null for the handler's timeout (if any)
 * @param uniqueKey a key that at most one unfinished job holds at a time, or null
 */
public record JobRequest(
    JobId id,
    String type,
    Object payload,
    String queue,
    int priority,
    Instant runAt,
    Duration delay,
    Integer maxAttempts,
    Duration timeout,
    String uniqueKey) {

  /** The most urgent priority. */
  public static final int MIN_PRIORITY = -1000;
  /** The least urgent priority. */
  public static final int MAX_PRIORITY = 1000;
  /** The priority of a request that sets none. */
  public static final int DEFAULT_PRIORITY = 0;
  /** The longest unique key, in characters. */
  public static final int MAX_UNIQUE_KEY_LENGTH = 200;
  /** The earliest run time a job may have: the first that every store holds (MySQL's DATETIME). */
  public static final Instant EARLIEST_RUN_AT = Instant.parse("1000-01-01T00:00:00Z");
  /** The latest run time a job may have: the last that every store holds (MySQL's DATETIME). */
  public static final Instant LATEST_RUN_AT = Instant.parse("9999-12-31T23:59:59.999999Z");

  /**
   * Checks the request.
   *
   * @throws IllegalArgumentException if a value is out of its range, with the value in the message
   * @throws NullPointerException if {@code id}, {@code queue} or {@code delay} is null
   */
  public JobRequest {
    Objects.requireNonNull(id, "id");
    JobNames.requireType(type);
    JobNames.requireQueue(queue);
    requirePriority(priority);
    Objects.requireNonNull(delay, "delay");
    requireDelay(delay);
    if (runAt != null) {
      requireRunAt(runAt);
    }
    if (runAt != null && !delay.isZero()) {
      throw new IllegalArgumentException(
          "Both runAt (" + runAt + ") and delay (" + delay + ") are set; give one of them");
    }
    if (maxAttempts != null) {
      requireMaxAttempts(maxAttempts);
    }
    if (timeout != null) {
      requireTimeout(timeout);
    }
    if (uniqueKey != null) {
      requireUniqueKey(uniqueKey);
    }
  }

  /**
   * A request with defaults for everything but type and payload.
   *
   * @param type the handler type
   * @param payload the payload, or null
   * @return the request, with a new id
   * @throws IllegalArgumentException if {@code type} is invalid
   */
  public static JobRequest of(String type, Object payload) {
    return builder(type).payload(payload).build();
  }

  /**
   * A builder for a request of the given type.
   *
   * @param type the handler type
   * @return a new builder
   * @throws IllegalArgumentException if {@code type} is null, blank or invalid
   */
  public static Builder builder(String type) {
    return new Builder(type);
  }

  /**
   * A builder with this request's values, including its id.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(type);
    b.id = id;
    b.payload = payload;
    b.queue = queue;
    b.priority = priority;
    b.runAt = runAt;
    b.delay = delay;
    b.maxAttempts = maxAttempts;
    b.timeout = timeout;
    b.uniqueKey = uniqueKey;
    return b;
  }

  private static void requirePriority(int priority) {
    if (priority < MIN_PRIORITY || priority > MAX_PRIORITY) {
      throw new IllegalArgumentException(
          "priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + priority);
    }
  }

  /**
   * Checks a run time: the bound every store can hold, applied before anything is written. {@link
   * io.jobengine.spi.NewJob} and the stores apply the same check.
   *
   * @param runAt the run time
   * @return {@code runAt}
   * @throws IllegalArgumentException if before {@link #EARLIEST_RUN_AT} or after {@link
   *     #LATEST_RUN_AT}, naming the value and the bound
   */
  public static Instant requireRunAt(Instant runAt) {
    Objects.requireNonNull(runAt, "runAt");
    if (runAt.isBefore(EARLIEST_RUN_AT) || runAt.isAfter(LATEST_RUN_AT)) {
      throw new IllegalArgumentException(
          "runAt " + runAt + " is outside the run times a job may have, " + EARLIEST_RUN_AT
              + " to " + LATEST_RUN_AT);
    }
    return runAt;
  }

  /**
   * Checks a delay: not negative, and short enough that the run time it gives, counted from now,
   * stays within {@link #LATEST_RUN_AT}, the bound {@link #requireRunAt} applies. "Now" is the
   * JVM's clock here; the store counts from its own, a difference of seconds at most, which matters
   * only for a delay within seconds of the bound.
   *
   * @param delay the delay
   * @return {@code delay}
   * @throws IllegalArgumentException if negative or too long, naming the value and the bound
   */
  public static Duration requireDelay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, got " + delay);
    }
    Duration longest = Duration.between(Instant.now(), LATEST_RUN_AT);
    if (delay.compareTo(longest) > 0) {
      throw new IllegalArgumentException(
          "delay " + delay + " (about " + delay.toDays() / 365 + " years) would put the run time"
              + " past " + LATEST_RUN_AT + ", the latest run time a job may have; the longest"
              + " delay now is " + longest + " (about " + longest.toDays() / 365 + " years)");
    }
    return delay;
  }

  private static void requireMaxAttempts(int maxAttempts) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
  }

  private static void requireTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }

  private static void requireUniqueKey(String uniqueKey) {
    if (uniqueKey.isBlank() || uniqueKey.length() > MAX_UNIQUE_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "uniqueKey must be non-blank and at most " + MAX_UNIQUE_KEY_LENGTH
              + " characters, got " + JobNames.quote(uniqueKey));
    }
  }

  /** Builds a {@link JobRequest}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private final String type;
    private JobId id;
    private Object payload;
    private String queue = JobNames.DEFAULT_QUEUE;
    private int priority = DEFAULT_PRIORITY;
    private Instant runAt;
    private Duration delay = Duration.ZERO;
    private Integer maxAttempts;
    private Duration timeout;
    private String uniqueKey;

    private Builder(String type) {
      this.type = JobNames.requireType(type);
    }

    /**
     * Sets the id instead of generating one; for a caller that must know it in advance.
     *
     * @param id the id
     * @return this builder
     */
    public Builder id(JobId id) {
      this.id = Objects.requireNonNull(id, "id");
      return this;
    }

    /**
     * @param payload the value the handler receives; null is allowed
     * @return this builder
     */
    public Builder payload(Object payload) {
      this.payload = payload;
      return this;
    }

    /**
     * @param queue the queue; {@value JobNames#DEFAULT_QUEUE} unless set
     * @return this builder
     * @throws IllegalArgumentException if invalid
     */
    public Builder queue(String queue) {
      this.queue = JobNames.requireQueue(queue);
      return this;
    }

    /**
     * Among the due jobs of a queue, the lower priority runs first. A node working through a
     * backlog may resume its claims where the last one ended (the MySQL store does, see its {@code
     * claimRescanInterval}): a more urgent job enqueued on another node then waits up to 100 ms
     * longer than strict order says.
     *
     * @param priority lower runs first; {@value #DEFAULT_PRIORITY} unless set
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder priority(int priority) {
      requirePriority(priority);
      this.priority = priority;
      return this;
    }

    /**
     * Runs the job no earlier than {@code runAt}. Excludes {@link #delay(Duration)}.
     *
     * @param runAt the earliest time, from {@link #EARLIEST_RUN_AT} to {@link #LATEST_RUN_AT}
     * @return this builder
     * @throws IllegalArgumentException if out of that range
     * @throws IllegalStateException if a delay was set
     */
    public Builder runAt(Instant runAt) {
      requireRunAt(runAt);
      if (!delay.isZero()) {
        throw new IllegalStateException(
            "A delay (" + delay + ") is already set; give either runAt or delay, not both");
      }
      this.runAt = runAt;
      return this;
    }

    /**
     * Runs the job no earlier than {@code delay} after the store receives it. Measured by the
     * store's clock (the database's, for a database store). Excludes {@link #runAt(Instant)}.
     *
     * @param delay the delay; not negative, and the run time it gives not after {@link
     *     #LATEST_RUN_AT}
     * @return this builder
     * @throws IllegalArgumentException if negative or too long
     * @throws IllegalStateException if runAt was set
     */
    public Builder delay(Duration delay) {
      Objects.requireNonNull(delay, "delay");
      requireDelay(delay);
      if (runAt != null) {
        throw new IllegalStateException(
            "runAt (" + runAt + ") is already set; give either runAt or delay, not both");
      }
      this.delay = delay;
      return this;
    }

    /**
     * @param maxAttempts the most runs, the first included; overrides the handler's retry policy
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      requireMaxAttempts(maxAttempts);
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * @param timeout how long one attempt may run; overrides the handler's timeout
     * @return this builder
     * @throws IllegalArgumentException if not positive
     */
    public Builder timeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      requireTimeout(timeout);
      this.timeout = timeout;
      return this;
    }

    /**
     * While a job with this key is unfinished, enqueueing another request with the same key
     * returns the existing job's id and writes nothing.
     *
     * @param uniqueKey the key; non-blank, at most {@value #MAX_UNIQUE_KEY_LENGTH} characters
     * @return this builder
     * @throws IllegalArgumentException if blank or too long
     */
    public Builder uniqueKey(String uniqueKey) {
      Objects.requireNonNull(uniqueKey, "uniqueKey");
      requireUniqueKey(uniqueKey);
      this.uniqueKey = uniqueKey;
      return this;
    }

    /**
     * @return the request; its id is generated now unless one was given
     */
    public JobRequest build() {
      return new JobRequest(
          id != null ? id : JobId.generate(),
          type, payload, queue, priority, runAt, delay, maxAttempts, timeout, uniqueKey);
    }
  }

  /**
   * The request without its payload, which may hold secrets and has no place in logs.
   *
   * @return the fields but the payload, of which only the class shows
   */
  @Override
  public String toString() {
    return "JobRequest[id=" + id + ", type=" + type + ", payload="
        + (payload == null ? "null" : payload.getClass().getName()) + ", queue=" + queue
        + ", priority=" + priority + ", runAt=" + runAt + ", delay=" + delay + ", maxAttempts="
        + maxAttempts + ", timeout=" + timeout + ", uniqueKey=" + uniqueKey + "]";
  }
}
