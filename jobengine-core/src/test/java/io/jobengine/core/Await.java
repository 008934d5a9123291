package io.jobengine.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** Waits for a condition with a deadline: how engine tests wait for other threads. */
final class Await {
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  private Await() {}

  /** Returns the first non-null value of {@code probe}; fails with {@code what} at the deadline. */
  static <T> T until(String what, Supplier<T> probe) {
    return until(what, DEFAULT_TIMEOUT, probe);
  }

  static <T> T until(String what, Duration timeout, Supplier<T> probe) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      T value = probe.get();
      if (value != null) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("Timed out after " + timeout + " waiting for " + what);
      }
      LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
    }
  }

  static void untilTrue(String what, Supplier<Boolean> condition) {
    until(what, () -> condition.get() ? Boolean.TRUE : null);
  }
}
