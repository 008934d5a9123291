package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's leases alive and acts on what renewal reports.
 *
 * <p>Every heartbeat renews all leases the node holds in one store call and learns which jobs were
 * canceled and which leases were lost. Each job also tracks, on the monotonic clock, until when its
 * lease is surely valid: the moment the last successful renewal (or the claim) was sent plus the
 * lease duration. {@link LeaseDeadlines} stops a handler a margin before that moment, so that it
 * never runs beside another node's attempt when renewals fail (the database is unreachable) or
 * skip its row (another transaction holds it locked).
 *
 * <p>The node claims nothing new while renewals fail, and while they are late: when no renewal
 * has succeeded for {@linkplain #lateAfter(Duration) half the lease} (a renewal is due every third
 * of the lease at most, so at least one is overdue), whatever holds them up (a slow database, a
 * lock) would hold up the leases of new jobs too, and those are the next the deadlines stop. Both
 * end by themselves when a renewal succeeds again.
 */
final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final JobStore store;
  private final String nodeName;
  private final Duration leaseDuration;
  private final Map<JobId, RunningJob> active;
  private final NodePresence presence;
  private final NanoClock clock;
  private final LeaseDeadlines deadlines;
  private final long lateAfterNanos;
  private final AtomicBoolean lateReported = new AtomicBoolean();
  private volatile boolean failing;
  private volatile long lastSuccessSent;
  /** The leases the last renewal skipped; read and written on the lease thread only. */
  private Set<JobId> skippedLastTime = Set.of();

  LeaseKeeper(
      JobStore store, String nodeName, Duration leaseDuration, Map<JobId, RunningJob> active,
      NodePresence presence, NanoClock clock, LeaseDeadlines deadlines) {
    this.store = store;
    this.nodeName = nodeName;
    this.leaseDuration = leaseDuration;
    this.active = active;
    this.presence = presence;
    this.clock = clock;
    this.deadlines = deadlines;
    this.lateAfterNanos = lateAfter(leaseDuration).toNanos();
    // The node registered (a successful write) just before it starts.
    this.lastSuccessSent = clock.nanoTime();
  }

  /** How long after the last successful renewal was sent the node stops claiming: half the lease. */
  static Duration lateAfter(Duration leaseDuration) {
    return leaseDuration.dividedBy(2);
  }

  /**
   * False while lease renewals fail or are late; the dispatcher claims nothing then.
   */
  boolean healthy() {
    if (failing) {
      return false;
    }
    long since = clock.nanoTime() - lastSuccessSent;
    if (since - lateAfterNanos <= 0) {
      return true;
    }
    if (lateReported.compareAndSet(false, true)) {
      log.warn(
          "No lease renewal of node '{}' has succeeded for {} (half the lease); claiming no new "
              + "jobs until one does",
          nodeName, Duration.ofNanos(since));
    }
    return false;
  }

  /** The monotonic clock's reading, taken before a claim is sent: its lease counts from there. */
  long now() {
    return clock.nanoTime();
  }

  /** Watches the lease deadline of a newly claimed attempt. */
  void track(RunningJob job) {
    deadlines.track(job);
  }

  /**
   * One heartbeat: renews every held lease, records the node's heartbeat in the registry, and acts
   * on the answers. Both writes must succeed for the node to count as healthy, so an idle node
   * also notices that it cannot reach the store; a heartbeat the store passed over because another
   * session holds the node's row locked counts as succeeded ({@link NodePresence#heartbeat}): it
   * did not wait, and the renewals, which are what keeps the node's jobs, went through.
   */
  void renewOnce() {
    Map<JobId, RunningJob> held = new HashMap<>();
    for (RunningJob job : active.values()) {
      // Not a job whose outcome is claimed, even one whose outcome waits aside for a row lock:
      // renewals pass over a locked row anyway (see OutcomeWriter).
      if (!job.outcomeClaimed()) {
        held.put(job.id(), job);
      }
    }
    long sent = clock.nanoTime();
    if (!held.isEmpty()) {
      List<Lease> leases = new ArrayList<>(held.size());
      held.values().forEach(job -> leases.add(job.lease()));
      LeaseRenewal renewal;
      try {
        renewal = store.renewLeases(nodeName, leases, leaseDuration);
      } catch (RuntimeException e) {
        // The deadlines stop the handlers whose leases may run out.
        failed("renew the leases of " + held.size() + " job(s)", e);
        return;
      }
      apply(renewal, held, sent + leaseDuration.toNanos());
    }
    try {
      presence.heartbeat(active.size());
    } catch (RuntimeException e) {
      failed("record the heartbeat of node '" + nodeName + "'", e);
      return;
    }
    boolean wasUnhealthy = failing || lateReported.get();
    lastSuccessSent = sent;
    failing = false;
    lateReported.set(false);
    if (wasUnhealthy) {
      log.info("Lease renewals succeed again; node '{}' claims jobs again", nodeName);
    }
  }

  private void failed(String what, RuntimeException e) {
    if (!failing) {
      log.warn("Could not {}; claiming no new jobs until this works again: {}", what, e.toString());
    }
    failing = true;
  }

  private void apply(LeaseRenewal renewal, Map<JobId, RunningJob> held, long validUntil) {
    Set<JobId> skippedBefore = skippedLastTime;
    skippedLastTime = renewal.skipped();
    for (RunningJob job : held.values()) {
      JobId id = job.id();
      if (job.outcomeClaimed()) {
        // Its outcome was written (or is being written) while the renewal ran: a job that just
        // ended shows as "lost" to the renewal, and it must not be stopped or reported for that.
        continue;
      }
      if (job.completedInTransaction() != null && renewal.lost().contains(id)) {
        // Most likely its handler's transaction committed the job's end; the runner settles it.
        job.requestStop(Reason.LEASE_LOST);
        continue;
      }
      if (renewal.lost().contains(id)) {
        if (job.requestStop(Reason.LEASE_LOST)) {
          JobMdc.run(job, () -> log.warn("{} lost its lease; stopping it (another node may run it)", job));
        }
        continue;
      }
      if (renewal.skipped().contains(id)) {
        // Once can be this node's own progress write holding the row for a moment; twice in a
        // row is someone else's lock.
        if (skippedBefore.contains(id)) {
          JobMdc.run(job, () -> log.warn(
              "The lease of {} was not renewed: another transaction holds its row locked. Its "
                  + "deadline stands; it is stopped if the lock outlasts it",
              job));
        } else {
          JobMdc.run(job, () -> log.debug("The lease of {} was not renewed this time: its row was locked", job));
        }
      } else {
        job.leaseRenewed(validUntil);
      }
      if (renewal.cancelRequested().contains(id) && job.requestStop(Reason.CANCELED)) {
        JobMdc.run(job, () -> log.info("{} was canceled; stopping its handler", job));
      }
    }
  }
}
