package io.jobengine.core;

import io.jobengine.JobId;
import io.jobengine.JobStoppedException.Reason;
import io.jobengine.StoreDataException;
import io.jobengine.spi.JobStore;
import io.jobengine.spi.ProgressUpdate;
import io.jobengine.spi.WriteResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what handlers report (progress and warnings) in batches. A handler may report progress
 * thousands of times a second; only the latest state of each job is kept, and all jobs' latest
 * states go to the store in one call per flush. A rejected write means the attempt lost its lease: it is asked to stop.
 *
 * <p>A failed write is not retried (the next flush carries the latest state). A job whose row
 * another session holds locked is passed over by the store (reported busy, nothing written) and
 * its report is kept for the next flush, so one locked row does not hold up the node's other
 * reports. A batch the store
 * refuses for the data of some of its rows ({@link StoreDataException}) is written again job by
 * job, so that one job's report does not cost the others theirs.
 */
final class ProgressFlusher {
  private static final Logger log = LoggerFactory.getLogger(ProgressFlusher.class);

  private final JobStore store;

  ProgressFlusher(JobStore store) {
    this.store = store;
  }

  /** Writes the pending progress of all {@code jobs}. */
  void flushAll(Collection<RunningJob> jobs) {
    Map<JobId, RunningJob> byId = new HashMap<>();
    List<ProgressUpdate> updates = new ArrayList<>();
    for (RunningJob job : jobs) {
      ProgressUpdate update = job.takeReport();
      if (update != null && !job.outcomeClaimed()) {
        updates.add(update);
        byId.put(job.id(), job);
      }
    }
    write(updates, byId);
  }

  /** Writes one job's pending progress now; before its outcome, so the last report lands. */
  void flush(RunningJob job) {
    ProgressUpdate update = job.takeReport();
    if (update != null) {
      write(List.of(update), Map.of(job.id(), job));
    }
  }

  private void write(List<ProgressUpdate> updates, Map<JobId, RunningJob> byId) {
    if (updates.isEmpty()) {
      return;
    }
    WriteResult result;
    try {
      result = store.reportProgress(updates);
    } catch (StoreDataException e) {
      if (updates.size() == 1) {
        RunningJob job = byId.get(updates.get(0).lease().jobId());
        JobMdc.run(job, () -> log.warn("The store refused the progress of {}: {}", job, e.toString()));
        return;
      }
      // One job's report must not cost the others theirs: write each on its own.
      for (ProgressUpdate update : updates) {
        JobId id = update.lease().jobId();
        write(List.of(update), Map.of(id, byId.get(id)));
      }
      return;
    } catch (RuntimeException e) {
      // Progress is informative; the next report will carry the latest value. Not retried.
      log.warn("Could not write the progress of {} job(s): {}", updates.size(), e.toString());
      return;
    }
    for (JobId id : result.busy()) {
      RunningJob job = byId.get(id);
      if (job != null) {
        job.reportAgain();
        JobMdc.run(job, () -> log.debug(
            "The progress of {} was not written: another session holds its row lock; kept for the"
                + " next flush", job));
      }
    }
    for (JobId id : result.rejected()) {
      RunningJob job = byId.get(id);
      if (job != null && job.completedInTransaction() != null) {
        continue; // rejected once its handler's transaction has committed the job's end
      }
      if (job != null && !job.outcomeClaimed() && job.requestStop(Reason.LEASE_LOST)) {
        JobMdc.run(job, () -> log.warn("{} lost its lease (its progress write was rejected); stopping it", job));
      }
    }
  }
}
