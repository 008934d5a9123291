package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.Lease;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Brings cancels requested elsewhere (another process, the operators' CLI) to this node's
 * handlers within about {@link #INTERVAL}, instead of at the next lease renewal (a third of the
 * lease: 10 s by default). Every interval it asks the store which of the attempts it holds have a
 * cancel requested: one cheap read ({@link JobStore#cancelRequests}), and none at all while the
 * node holds no running job, so an idle node makes no more queries than before.
 */
final class CancelWatch {
  private static final Logger log = LoggerFactory.getLogger(CancelWatch.class);

  /** How often a node that runs jobs looks for their cancel requests. */
  static final Duration INTERVAL = Duration.ofSeconds(1);

  private final JobStore store;
  private final Collection<RunningJob> jobs;
  private boolean failing;

  /**
   * @param store the store
   * @param jobs a live view of the attempts this node holds
   */
  CancelWatch(JobStore store, Collection<RunningJob> jobs) {
    this.store = store;
    this.jobs = jobs;
  }

  /** One look; asks the store nothing when no handler runs unasked to stop. */
  void checkOnce() {
    List<RunningJob> running = new ArrayList<>();
    for (RunningJob job : jobs) {
      if (!job.outcomeClaimed() && job.stopReason() == null) {
        running.add(job);
      }
    }
    if (running.isEmpty()) {
      return;
    }
    List<Lease> leases = new ArrayList<>(running.size());
    running.forEach(job -> leases.add(job.lease()));
    Set<JobId> canceled;
    try {
      canceled = store.cancelRequests(leases);
    } catch (RuntimeException e) {
      // The lease renewal reports store failures and carries cancels too; note this once.
      if (!failing) {
        log.info("Could not read cancel requests; the next lease renewal brings them: {}", e.toString());
      }
      failing = true;
      return;
    }
    failing = false;
    for (RunningJob job : running) {
      if (canceled.contains(job.id()) && job.requestStop(Reason.CANCELED)) {
        JobMdc.run(job, () -> log.info("{} was canceled; stopping its handler", job));
      }
    }
  }
}
