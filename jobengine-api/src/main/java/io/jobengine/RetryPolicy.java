package io.jobengine;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * How often a failing job is tried and how long it waits between attempts: exponential backoff
 * with jitter, capped, and a list of exception types that are never retried.
 *
 * <p>The delay before attempt {@code n + 1}, after attempt {@code n} failed, is {@code
 * initialDelay * multiplier^(n-1)}, capped at {@code maxDelay}, then moved by a random amount of
 * up to {@code jitter} of itself in either direction, so that jobs failing together do not retry
 * together.
 *
 * @param maxAttempts how many times a job runs at most, the first run included; at least 1
 * @param initialDelay the delay after the first failed attempt; not negative
 * @param multiplier the growth of the delay per attempt; at least 1.0
 * @param maxDelay the cap on the delay before jitter; at least {@code initialDelay}
 * @param jitter the random spread as a fraction of the delay, from 0.0 to 1.0
 * @param nonRetryable exception types (and their subtypes) that fail the job at once
 */
public record RetryPolicy(
    int maxAttempts,
    Duration initialDelay,
    double multiplier,
    Duration maxDelay,
    double jitter,
    Set<Class<? extends Throwable>> nonRetryable) {

  /** Five attempts. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  /** Five seconds after the first failure. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(5);
  /** The delay doubles with each attempt. */
  public static final double DEFAULT_MULTIPLIER = 2.0;
  /** Never more than one hour between attempts. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofHours(1);
  /** Up to 20% either way. */
  public static final double DEFAULT_JITTER = 0.2;

  /**
   * Checks the policy.
   *
   * @throws IllegalArgumentException if a value is out of its range
   * @throws NullPointerException if a value is null
   */
  public RetryPolicy {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    }
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (initialDelay.isNegative()) {
      throw new IllegalArgumentException("initialDelay must not be negative, got " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "maxDelay (" + maxDelay + ") must not be shorter than initialDelay (" + initialDelay + ")");
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      throw new IllegalArgumentException("multiplier must be a finite number >= 1.0, got " + multiplier);
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      throw new IllegalArgumentException("jitter must be between 0.0 and 1.0, got " + jitter);
    }
    Objects.requireNonNull(nonRetryable, "nonRetryable");
    nonRetryable.forEach(type -> Objects.requireNonNull(type, "a nonRetryable type is null"));
    nonRetryable = Set.copyOf(nonRetryable);
  }

  /**
   * The policy used when neither the request nor the handler gives one: {@value
   * #DEFAULT_MAX_ATTEMPTS} attempts, 5 s doubling up to 1 h, 20% jitter.
   *
   * @return the default policy
   */
  public static RetryPolicy defaults() {
    return builder().build();
  }

  /**
   * A policy that never retries: the first failure is final.
   *
   * @return a policy with one attempt
   */
  public static RetryPolicy noRetries() {
    return builder().maxAttempts(1).build();
  }

  /**
   * A builder that starts from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The delay before the next attempt, after attempt {@code failedAttempt} failed.
   *
   * @param failedAttempt the attempt that failed, from 1
   * @param random a number in [0, 1) that places the jitter; 0.5 means none
   * @return the delay, never negative
   * @throws IllegalArgumentException if {@code failedAttempt < 1} or {@code random} is out of range
   */
  public Duration delayAfter(int failedAttempt, double random) {
    if (failedAttempt < 1) {
      throw new IllegalArgumentException("failedAttempt counts from 1, got " + failedAttempt);
    }
    if (!(random >= 0.0 && random < 1.0)) {
      throw new IllegalArgumentException("random must be in [0, 1), got " + random);
    }
    double base = initialDelay.toNanos() * Math.pow(multiplier, failedAttempt - 1);
    double capped = Math.min(base, (double) maxDelay.toNanos());
    double spread = capped * jitter * (2.0 * random - 1.0);
    long nanos = (long) Math.max(0.0, capped + spread);
    return Duration.ofNanos(nanos);
  }

  /**
   * Whether a failure may be retried at all (attempts left aside).
   *
   * @param failure what the handler threw
   * @return false if it is one of {@link #nonRetryable()} or a subtype of one
   */
  public boolean isRetryable(Throwable failure) {
    for (Class<? extends Throwable> type : nonRetryable) {
      if (type.isInstance(failure)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A builder starting from this policy.
   *
   * @return a new builder with this policy's values
   */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxAttempts = maxAttempts;
    b.initialDelay = initialDelay;
    b.multiplier = multiplier;
    b.maxDelay = maxDelay;
    b.jitter = jitter;
    b.nonRetryable.addAll(nonRetryable);
    return b;
  }

  /** Builds a {@link RetryPolicy}; each setter checks its value. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration initialDelay = DEFAULT_INITIAL_DELAY;
    private double multiplier = DEFAULT_MULTIPLIER;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private double jitter = DEFAULT_JITTER;
    private final Set<Class<? extends Throwable>> nonRetryable = new LinkedHashSet<>();

    private Builder() {}

    /**
     * @param maxAttempts how many times a job runs at most, the first run included; at least 1
     * @return this builder
     * @throws IllegalArgumentException if below 1
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * @param initialDelay the delay after the first failure; not negative
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder initialDelay(Duration initialDelay) {
      Objects.requireNonNull(initialDelay, "initialDelay");
      if (initialDelay.isNegative()) {
        throw new IllegalArgumentException("initialDelay must not be negative, got " + initialDelay);
      }
      this.initialDelay = initialDelay;
      return this;
    }

    /**
     * @param multiplier the growth per attempt; at least 1.0
     * @return this builder
     * @throws IllegalArgumentException if below 1.0 or not finite
     */
    public Builder multiplier(double multiplier) {
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be a finite number >= 1.0, got " + multiplier);
      }
      this.multiplier = multiplier;
      return this;
    }

    /**
     * @param maxDelay the cap on the delay; checked against the initial delay at {@link #build()}
     * @return this builder
     * @throws IllegalArgumentException if negative
     */
    public Builder maxDelay(Duration maxDelay) {
      Objects.requireNonNull(maxDelay, "maxDelay");
      if (maxDelay.isNegative()) {
        throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
      }
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * @param jitter the random spread as a fraction of the delay, from 0.0 to 1.0
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw new IllegalArgumentException("jitter must be between 0.0 and 1.0, got " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Exception types that fail the job at once, whatever attempts are left. Adds to those given
     * before.
     *
     * @param types the types; subtypes match too
     * @return this builder
     */
    @SafeVarargs
    public final Builder nonRetryable(Class<? extends Throwable>... types) {
      for (Class<? extends Throwable> t : types) {
        nonRetryable.add(Objects.requireNonNull(t, "type"));
      }
      return this;
    }

    /**
     * @return the policy
     * @throws IllegalArgumentException if {@code maxDelay} is shorter than {@code initialDelay}
     */
    public RetryPolicy build() {
      return new RetryPolicy(maxAttempts, initialDelay, multiplier, maxDelay, jitter, nonRetryable);
    }
  }
}
