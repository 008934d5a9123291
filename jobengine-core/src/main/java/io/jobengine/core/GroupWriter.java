package io.jobengine.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one kind of the engine's writes: items handed in by many threads are written in
 * one store call (one transaction) as soon as the previous call has returned.
 *
 * <p>There is no fixed delay: at low load a lone item is written at once, so latency stays that of
 * a single write; under load the items that arrive while a call is in flight make up the next
 * batch, so batches grow with the load and the commits per item fall. That is what lets a node run
 * many short jobs a second on a database that can do only a few thousand commits a second.
 *
 * <p>The writing thread belongs to the engine and is never interrupted by handlers, so the JDBC
 * work never sees an interrupt meant for a handler. After {@link #stop}, {@link #offer} refuses and
 * callers write on their own thread, as before batching.
 *
 * <p>An item that cannot be written yet (its row is locked by someone else) may be {@linkplain
 * #offerLater put aside} for a later batch: the writer goes on with the other items meanwhile.
 * When the writer stops, items put aside are tried once more at once, and {@link #offerLater}
 * refuses from then on, so the subclass gives up on what still cannot be written.
 *
 * @param <T> what is written
 */
abstract class GroupWriter<T> {
  private static final Logger log = LoggerFactory.getLogger(GroupWriter.class);

  /** Keeps each statement's IN list and each transaction short. */
  static final int MAX_BATCH = 500;

  private final String what;
  private final Thread thread;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition nonEmpty = lock.newCondition();
  private final ArrayDeque<T> pending = new ArrayDeque<>();
  /** Items put aside, by when they are due (System.nanoTime()). */
  private final PriorityQueue<Later<T>> later =
      new PriorityQueue<>((a, b) -> Long.signum(a.dueNanos() - b.dueNanos()));
  private boolean stopping;

  private record Later<T>(T item, long dueNanos) {}

  GroupWriter(String nodeName, String role, String what) {
    this.what = what;
    this.thread = new NamedThreadFactory(nodeName, role).newThread(this::loop);
  }

  final void start() {
    thread.start();
  }

  /**
   * Queues an item for the next batch.
   *
   * @return false if the writer has stopped; the caller must write the item itself
   */
  final boolean offer(T item) {
    lock.lock();
    try {
      if (stopping) {
        return false;
      }
      pending.add(item);
      nonEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts an item aside for a batch at least {@code delay} from now; the writer goes on with the
   * other items meanwhile. Never blocks.
   *
   * @return false if the writer is stopping or stopped; the caller must give up on the item or
   *     write it itself
   */
  final boolean offerLater(T item, Duration delay) {
    lock.lock();
    try {
      if (stopping) {
        return false;
      }
      later.add(new Later<>(item, System.nanoTime() + delay.toNanos()));
      nonEmpty.signal();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Items put aside and not yet due; for tests. */
  final int putAside() {
    lock.lock();
    try {
      return later.size();
    } finally {
      lock.unlock();
    }
  }

  /** Moves the items put aside that are due (all of them once stopping) to the pending ones. */
  private void moveDue() {
    long now = System.nanoTime();
    while (!later.isEmpty() && (stopping || later.peek().dueNanos() - now <= 0)) {
      pending.add(later.poll().item());
    }
  }

  /** Items that arrived since the last take, at most {@code max}; does not wait. */
  final List<T> drain(int max) {
    lock.lock();
    try {
      List<T> batch = new ArrayList<>(Math.min(max, pending.size()));
      while (batch.size() < max && !pending.isEmpty()) {
        batch.add(pending.poll());
      }
      return batch;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Writes the queued items and stops the thread; later offers are refused. Waits up to {@code
   * timeout} for the thread to finish.
   */
  final void stop(Duration timeout) {
    lock.lock();
    try {
      stopping = true;
      nonEmpty.signalAll();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() == thread || !thread.isAlive()) {
      return;
    }
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("The {} writer did not finish within {}; writes still queued may be lost", what, timeout);
    }
  }

  /**
   * Writes one batch, telling each item's owner how it went. Must not throw for a store failure;
   * may block (retries) but must end.
   */
  abstract void write(List<T> batch);

  private void loop() {
    while (true) {
      List<T> batch;
      lock.lock();
      try {
        while (true) {
          moveDue();
          if (!pending.isEmpty() || stopping) {
            break;
          }
          if (later.isEmpty()) {
            nonEmpty.awaitUninterruptibly();
          } else {
            try {
              nonEmpty.awaitNanos(later.peek().dueNanos() - System.nanoTime());
            } catch (InterruptedException e) {
              // Nobody interrupts this thread but to end it: write what is left, as at stop.
              Thread.currentThread().interrupt();
              stopping = true;
            }
          }
        }
        if (pending.isEmpty()) {
          return;
        }
      } finally {
        lock.unlock();
      }
      batch = drain(MAX_BATCH);
      try {
        write(batch);
      } catch (Throwable t) {
        log.error("Unexpected failure writing a batch of {} {}; carrying on", batch.size(), what, t);
      }
    }
  }

  /** Sleeps on the writer's own thread, for back-off; false if interrupted (flag restored). */
  static boolean sleep(Duration d) {
    try {
      TimeUnit.NANOSECONDS.sleep(d.toNanos());
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
