package io.jobengine.spi;

import io.jobengine.JobId;
import java.util.HashSet;
import java.util.Set;

/**
 * What a lease renewal found.
 *
 * @param lost the jobs whose lease the node no longer holds (reaped, re-claimed, or ended by
 *     someone else); their attempts must stop and nothing they write will land
 * @param cancelRequested the jobs still held whose cancel was requested (status TO_CANCEL)
 * @param skipped the leases still live that the store did not extend this time, because another
 *     transaction held their rows locked (see {@link JobStore#renewLeases}); neither renewed nor
 *     lost: their expiry stands, and a later renewal tries again
 */
public record LeaseRenewal(Set<JobId> lost, Set<JobId> cancelRequested, Set<JobId> skipped) {

  /**
   * Copies the sets.
   *
   * @throws IllegalArgumentException if a job is both lost and skipped
   */
  public LeaseRenewal {
    lost = Set.copyOf(lost);
    cancelRequested = Set.copyOf(cancelRequested);
    skipped = Set.copyOf(skipped);
    Set<JobId> both = new HashSet<>(lost);
    both.retainAll(skipped);
    if (!both.isEmpty()) {
      throw new IllegalArgumentException("Leases both lost and skipped: " + both);
    }
  }

  /**
   * A renewal that skipped no lease.
   *
   * @param lost the lost leases
   * @param cancelRequested the cancel requests of the leases still held
   */
  public LeaseRenewal(Set<JobId> lost, Set<JobId> cancelRequested) {
    this(lost, cancelRequested, Set.of());
  }
}
