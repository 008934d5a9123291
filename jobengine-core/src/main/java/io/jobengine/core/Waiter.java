package io.jobengine.core;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A wait that can be cut short. {@link #wake()} ends the current wait, or the next one if nobody
 * is waiting, so a wake-up that arrives between two waits is not lost.
 */
final class Waiter {
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition woken = lock.newCondition();
  private boolean wakeRequested;

  /** Ends the current wait at once, or makes the next one return at once. */
  void wake() {
    lock.lock();
    try {
      wakeRequested = true;
      woken.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Waits up to {@code timeout} or until woken.
   *
   * @return true if woken, false if the time ran out
   * @throws InterruptedException if interrupted while waiting
   */
  boolean await(Duration timeout) throws InterruptedException {
    long remaining = timeout.toNanos();
    lock.lock();
    try {
      while (!wakeRequested && remaining > 0) {
        remaining = woken.awaitNanos(remaining);
      }
      boolean wasWoken = wakeRequested;
      wakeRequested = false;
      return wasWoken;
    } finally {
      lock.unlock();
    }
  }

  /** Waits for {@code timeout}, ignoring wake-ups; for back-off after errors. */
  static void pause(Duration timeout) throws InterruptedException {
    TimeUnit.NANOSECONDS.sleep(timeout.toNanos());
  }
}
