package io.jobengine.spi;

import io.jobengine.JobId;
import java.util.Set;

/**
 * What a lease renewal found.
 *
 * @param lost the jobs whose lease the node no longer holds (reaped, re-claimed, or ended by
 *     someone else); their attempts must stop and nothing they write will land
 * @param cancelRequested the jobs still held whose cancel was requested (status TO_CANCEL)
 */
public record LeaseRenewal(Set<JobId> lost, Set<JobId> cancelRequested) {

  /** Copies the sets. */
  public LeaseRenewal {
    lost = Set.copyOf(lost);
    cancelRequested = Set.copyOf(cancelRequested);
  }
}
