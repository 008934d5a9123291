package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import io.jobengine.spi.LeaseRenewal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this node's leases alive and acts on what renewal reports.
 *
 * <p>Every heartbeat renews all leases the node holds in one store call and learns which jobs were
 * canceled and which leases were lost. Each job also tracks, on the monotonic clock, until when its
 * lease is surely valid: the start of the last successful renewal plus the lease duration. When
 * renewals keep failing (the database is unreachable) and that moment passes, the node must assume
 * another node may take the job over, so it stops the handler itself rather than let two attempts
 * run at once; and while renewals fail the node claims nothing new. Both end by themselves when
 * the store answers again.
 */
final class LeaseKeeper {
  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  private final JobStore store;
  private final String nodeName;
  private final Duration leaseDuration;
  private final Map<JobId, RunningJob> active;
  private volatile boolean healthy = true;

  LeaseKeeper(JobStore store, String nodeName, Duration leaseDuration, Map<JobId, RunningJob> active) {
    this.store = store;
    this.nodeName = nodeName;
    this.leaseDuration = leaseDuration;
    this.active = active;
  }

  /** False while lease renewals fail; the dispatcher claims nothing then. */
  boolean healthy() {
    return healthy;
  }

  /**
   * One heartbeat: renews every held lease, records the node's heartbeat in the registry, and acts
   * on the answers. Both writes must succeed for the node to count as healthy, so an idle node
   * also notices that it cannot reach the store.
   */
  void renewOnce() {
    Map<JobId, RunningJob> held = new HashMap<>();
    for (RunningJob job : active.values()) {
      if (!job.outcomeClaimed()) {
        held.put(job.id(), job);
      }
    }
    long started = System.nanoTime();
    if (!held.isEmpty()) {
      List<Lease> leases = new ArrayList<>(held.size());
      held.values().forEach(job -> leases.add(job.lease()));
      LeaseRenewal renewal;
      try {
        renewal = store.renewLeases(nodeName, leases, leaseDuration);
      } catch (RuntimeException e) {
        unhealthy("renew the leases of " + held.size() + " job(s)", e);
        stopJobsPastTheirLease(held.values());
        return;
      }
      apply(renewal, held, started + leaseDuration.toNanos());
    }
    try {
      store.nodeHeartbeat(nodeName, active.size());
    } catch (RuntimeException e) {
      unhealthy("record the heartbeat of node '" + nodeName + "'", e);
      return;
    }
    if (!healthy) {
      log.info("The store answers again; node '{}' claims jobs again", nodeName);
    }
    healthy = true;
  }

  private void unhealthy(String what, RuntimeException e) {
    if (healthy) {
      log.warn("Could not {}; claiming no new jobs until this works again: {}", what, e.toString());
    }
    healthy = false;
  }

  private void apply(LeaseRenewal renewal, Map<JobId, RunningJob> held, long validUntil) {
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
          log.warn("{} lost its lease; stopping it (another node may run it)", job);
        }
      } else {
        job.leaseRenewed(validUntil);
        if (renewal.cancelRequested().contains(id) && job.requestStop(Reason.CANCELED)) {
          log.info("{} was canceled; stopping its handler", job);
        }
      }
    }
  }

  /**
   * Stops every attempt whose lease may have run out by the monotonic clock. Runs on its own timer,
   * not the lease thread, so that it acts even while a renewal hangs on an unreachable database.
   */
  void enforceDeadlines() {
    stopJobsPastTheirLease(active.values());
  }

  private void stopJobsPastTheirLease(Collection<RunningJob> jobs) {
    long now = System.nanoTime();
    for (RunningJob job : jobs) {
      if (job.outcomeClaimed()) {
        continue;
      }
      if (now - job.leaseValidUntilNanos() >= 0 && job.requestStop(Reason.LEASE_LOST)) {
        log.error(
            "{}: its lease may have expired while renewals failed; interrupting it so that it does "
                + "not run beside another node's attempt",
            job);
      }
    }
  }

  /** Puts back jobs whose leases expired on any node. */
  void reapOnce() {
    try {
      int reaped = store.reapExpiredLeases();
      if (reaped > 0) {
        log.info("Recovered {} job(s) whose lease had expired", reaped);
      }
    } catch (RuntimeException e) {
      log.warn("Could not reap expired leases: {}", e.toString());
    }
  }
}
