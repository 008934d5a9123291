package io.jobengine.mysql;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the store remembers of each claimer's last claim in a queue, so that its next claim costs
 * less. Only a hint: forgetting it, or two threads racing on it, changes which statements a claim
 * runs, never which jobs may be claimed or how they are fenced.
 *
 * <ul>
 *   <li><b>Idle.</b> The last claim found nothing: the next one first checks with a plain read
 *       (no locks, no transaction) that some job is due. An idle node costs one statement per
 *       poll instead of a transaction.
 *   <li><b>Resume.</b> The last claim filled its limit, so a backlog is being worked through: the
 *       next claim reads the claim index from the position of the last job it got, instead of from
 *       the start of the queue. InnoDB keeps the index entries of jobs that just left PENDING
 *       (delete-marked) until its purge removes them, which under load lags by thousands of
 *       entries, all at the start of the queue's PENDING range; a claim that reads from the start
 *       steps over every one of them (measured on MariaDB 10.11: 0.2 ms for a claim of 8 with a
 *       purged index, 6 ms with 5,000 such entries ahead of it). A resumed claim that finds fewer
 *       jobs than asked takes the rest from the start of the queue in the same transaction.
 * </ul>
 *
 * <p>A resumed claim does not see jobs that sort before its position: a job enqueued with a higher
 * priority than the backlog's, or with a run time before it, or a job the reaper put back (it
 * keeps its run time). So a claimer reads the whole queue again at least every rescan interval
 * ({@link #RESCAN_INTERVAL} unless set; zero never resumes), and a position is dropped at once
 * when this store itself enqueues a job before it or puts jobs back; such a job enqueued by
 * another node waits at most that long longer than strict order would make it.
 */
final class ClaimMemory {

  /** How long a claimer may resume before it reads its queue from the start again, by default. */
  static final Duration RESCAN_INTERVAL = Duration.ofMillis(100);

  /** More claimers than any deployment has; past it the memory starts over (it is only a hint). */
  private static final int MAX_CLAIMERS = 10_000;

  /** Who claims: the owner, the queue and the types it asks for. */
  record Claimer(String owner, String queue, Set<String> types) {}

  /**
   * Where a claim ended, in the claim's order: the last job's priority and run time (microseconds
   * since the epoch, as stored).
   */
  record Position(int priority, long runAtMicros) {
    boolean isAfter(int priority, long runAtMicros) {
      return this.priority > priority
          || (this.priority == priority && this.runAtMicros > runAtMicros);
    }
  }

  /**
   * The state of one claimer: idle (no position), or resumable from {@code position} while its
   * last read from the start of the queue is recent. A claimer with neither has no state.
   */
  private record State(Position position, long lastFullScanNanos) {
    static final State IDLE = new State(null, 0);

    boolean isIdle() {
      return position == null;
    }
  }

  private final LongSupplier nanoTime;
  private final long rescanNanos;
  private final Map<Claimer, State> states = new ConcurrentHashMap<>();

  /**
   * @param nanoTime a monotonic clock in nanoseconds ({@code System::nanoTime})
   * @param rescanInterval how long a claimer may resume; zero for never
   */
  ClaimMemory(LongSupplier nanoTime, Duration rescanInterval) {
    this.nanoTime = nanoTime;
    this.rescanNanos = rescanInterval.toNanos();
  }

  /** True if the claimer's last claim found nothing. */
  boolean idle(Claimer claimer) {
    State s = states.get(claimer);
    return s != null && s.isIdle();
  }

  /**
   * Where the claimer's next claim may start, or null when it must read from the start of the
   * queue.
   */
  Position resumeFrom(Claimer claimer) {
    State s = states.get(claimer);
    if (s == null || s.isIdle()) {
      return null;
    }
    return nanoTime.getAsLong() - s.lastFullScanNanos() < rescanNanos ? s.position() : null;
  }

  /**
   * Notes how a claim went.
   *
   * @param claimed how many jobs it got
   * @param limit how many it asked for
   * @param last where it ended; null if it got none
   * @param fromStart whether it read the queue from the start (not only a resumed range)
   * @param startedNanos when it started, on this memory's clock
   */
  void claimed(Claimer claimer, int claimed, int limit, Position last, boolean fromStart,
      long startedNanos) {
    if (states.size() >= MAX_CLAIMERS && !states.containsKey(claimer)) {
      states.clear();
    }
    if (claimed == 0) {
      states.put(claimer, State.IDLE);
    } else if (claimed < limit) {
      // The due jobs ran out: the next claim reads from the start anyway.
      states.remove(claimer);
    } else if (fromStart) {
      states.put(claimer, new State(last, startedNanos));
    } else {
      states.computeIfPresent(
          claimer, (c, s) -> s.isIdle() ? s : new State(last, s.lastFullScanNanos()));
    }
  }

  /** Now, on this memory's clock. */
  long now() {
    return nanoTime.getAsLong();
  }

  /**
   * A job was enqueued here that a resumed claim in its queue might pass over: drop every
   * position in that queue after which it sorts.
   *
   * @param runAtMicros the job's run time in microseconds since the epoch, or null if it is due
   *     from now (or later), which no position is after
   */
  void enqueued(String queue, int priority, Long runAtMicros) {
    states.entrySet().removeIf(
        e -> {
          Position p = e.getValue().position();
          return p != null
              && e.getKey().queue().equals(queue)
              && (p.priority() > priority
                  || (runAtMicros != null && p.isAfter(priority, runAtMicros)));
        });
  }

  /** Jobs were put back with their old run times (the reaper): every claimer reads from the start. */
  void forgetPositions() {
    states.values().removeIf(s -> !s.isIdle());
  }
}
