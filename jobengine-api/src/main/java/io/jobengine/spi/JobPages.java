package io.jobengine.spi;

import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import java.util.List;
import java.util.Objects;

/**
 * How a store cuts the answer of {@link JobStore#list} into a {@link JobPage}: it reads one job
 * more than the page holds, and that extra job only tells that another page follows.
 */
public final class JobPages {
  private JobPages() {}

  /**
   * The page of up to {@code limit} jobs from up to {@code limit + 1} matching jobs in id order.
   *
   * @param oneMoreThanLimit the matching jobs in id order, at most {@code limit + 1}
   * @param limit the page size, at least 1
   * @return the page; its cursor is the id of its last job when {@code oneMoreThanLimit} held
   *     more than {@code limit} jobs, else null
   * @throws IllegalArgumentException if {@code limit} is below 1 or more than {@code limit + 1}
   *     jobs are given
   */
  public static JobPage of(List<JobInfo> oneMoreThanLimit, int limit) {
    Objects.requireNonNull(oneMoreThanLimit, "oneMoreThanLimit");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, got " + limit);
    }
    if (oneMoreThanLimit.size() > limit + 1) {
      throw new IllegalArgumentException(
          "Read at most limit + 1 = " + (limit + 1) + " jobs for a page, got "
              + oneMoreThanLimit.size());
    }
    if (oneMoreThanLimit.size() <= limit) {
      return new JobPage(oneMoreThanLimit, null);
    }
    List<JobInfo> page = oneMoreThanLimit.subList(0, limit);
    return new JobPage(page, page.get(limit - 1).id());
  }
}
