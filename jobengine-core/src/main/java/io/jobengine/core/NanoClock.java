package io.jobengine.core;

/**
 * The monotonic clock that lease deadlines are kept on: {@link System#nanoTime()} in the engine,
 * a clock the test moves in tests. Only differences of its readings mean anything.
 */
@FunctionalInterface
interface NanoClock {

  /** {@link System#nanoTime()}. */
  NanoClock SYSTEM = System::nanoTime;

  /** @return the current reading, in nanoseconds */
  long nanoTime();
}
