package io.jobengine.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it: a test aid for users who test their handlers
 * and jobs against the {@link InMemoryJobStore} (or any code that takes a {@link Clock}) without
 * sleeping.
 *
 * <pre>{@code
 * SettableClock clock = new SettableClock(Instant.parse("2030-01-01T00:00:00Z"));
 * JobStore store = InMemoryJobStore.builder().clock(clock).build();
 * clock.advance(Duration.ofMinutes(10)); // a job retried with a 10-minute delay is due now
 * }</pre>
 *
 * <p>Thread-safe: the time is held atomically, so a test thread may move it while engine threads
 * read it. Its zone is UTC; {@link #withZone(ZoneId)} returns a view in another zone that shares
 * this clock's time.
 */
public final class SettableClock extends Clock {

  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  /**
   * A clock that shows {@code start} until it is moved.
   *
   * @param start the initial time
   */
  public SettableClock(Instant start) {
    this(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  private SettableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * Moves the clock forward.
   *
   * @param duration how far; zero or positive
   * @return the new time
   * @throws IllegalArgumentException if {@code duration} is negative (use {@link #set(Instant)} to
   *     go back in time on purpose)
   */
  public Instant advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException(
          "Cannot advance a clock by a negative duration (" + duration
              + "); use set(Instant) to move it back on purpose");
    }
    return now.updateAndGet(t -> t.plus(duration));
  }

  /**
   * Sets the clock to a time, earlier or later than the current one.
   *
   * @param instant the new time
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    return zone.equals(this.zone) ? this : new SettableClock(now, zone);
  }

  @Override
  public String toString() {
    return "SettableClock[" + now.get() + ", " + zone + "]";
  }
}
