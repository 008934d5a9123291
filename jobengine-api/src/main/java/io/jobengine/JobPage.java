package io.jobengine;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link JobClient#list(JobQuery)}: the jobs in id order and, if there may be more, the
 * cursor for the next page.
 *
 * @param jobs the jobs, oldest first
 * @param nextCursor pass to {@link JobQuery.Builder#after(JobId)} for the next page; null on the
 *     last page
 */
public record JobPage(List<JobInfo> jobs, JobId nextCursor) {

  /** Copies the list. */
  public JobPage {
    jobs = List.copyOf(Objects.requireNonNull(jobs, "jobs"));
  }

  /**
   * The cursor of the next page.
   *
   * @return the cursor, or empty on the last page
   */
  public Optional<JobId> next() {
    return Optional.ofNullable(nextCursor);
  }
}
