package io.jobengine.spi;

import io.jobengine.JobId;
import java.util.HashSet;
import java.util.Set;

/**
 * What a batched write of attempts ({@link JobStore#complete}, {@link JobStore#reportProgress})
 * did with each job: every job of the call that is in neither set was written.
 *
 * @param rejected the jobs whose lease was not live: nothing was written for them, and the caller
 *     must not write them again (another attempt owns the job, or it has ended)
 * @param busy the jobs whose rows another transaction held locked (an operator's {@code SELECT ...
 *     FOR UPDATE}, a host application's open transaction): the store passed over them instead of
 *     waiting for the lock, and nothing was written for them; neither written nor rejected, so the
 *     caller may write them again later, fenced as always
 */
public record WriteResult(Set<JobId> rejected, Set<JobId> busy) {

  /** Every job of the call was written. */
  public static final WriteResult ALL_WRITTEN = new WriteResult(Set.of(), Set.of());

  /**
   * Copies the sets.
   *
   * @throws IllegalArgumentException if a job is both rejected and busy
   */
  public WriteResult {
    rejected = Set.copyOf(rejected);
    busy = Set.copyOf(busy);
    Set<JobId> both = new HashSet<>(rejected);
    both.retainAll(busy);
    if (!both.isEmpty()) {
      throw new IllegalArgumentException("Jobs both rejected and busy: " + both);
    }
  }

  /**
   * A write that passed over no locked row.
   *
   * @param rejected the jobs whose lease was not live
   * @return the result
   */
  public static WriteResult rejected(Set<JobId> rejected) {
    return rejected.isEmpty() ? ALL_WRITTEN : new WriteResult(rejected, Set.of());
  }

  /**
   * Whether every job of the call was written.
   *
   * @return true if no job was rejected or busy
   */
  public boolean allWritten() {
    return rejected.isEmpty() && busy.isEmpty();
  }
}
