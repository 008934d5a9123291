package io.jobengine.spi;

import io.jobengine.JobId;
import java.util.Objects;

/**
 * What an enqueue did for one job.
 *
 * @param id the job's id: the new job's, or the id of the existing job that made this one a
 *     duplicate
 * @param created true if a row was written; false if a job with the same id already existed, or an
 *     unfinished job already held the same unique key
 */
public record EnqueueResult(JobId id, boolean created) {

  /** Checks the id. */
  public EnqueueResult {
    Objects.requireNonNull(id, "id");
  }
}
