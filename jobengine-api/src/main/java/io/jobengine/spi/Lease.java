package io.jobengine.spi;

import io.jobengine.JobId;
import io.jobengine.JobNames;
import java.util.Objects;

/**
 * A node's hold on a claimed job. Every write of the attempt carries it, and the store applies the
 * write only while the job is still leased with this token: a write with a stale lease changes
 * nothing and is reported back as rejected.
 *
 * @param jobId the job
 * @param owner the node that claimed it
 * @param token the fencing token; grows with every claim of the job
 */
public record Lease(JobId jobId, String owner, long token) {

  /**
   * Checks the lease.
   *
   * @throws NullPointerException if {@code jobId} is null
   * @throws IllegalArgumentException if {@code owner} is not a valid node name
   */
  public Lease {
    Objects.requireNonNull(jobId, "jobId");
    JobNames.requireNode(owner);
  }
}
