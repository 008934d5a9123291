package io.jobengine;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which jobs {@link JobClient#list(JobQuery)} returns: filters, and a page of results in id order
 * (oldest first). Page on by passing the previous page's {@link JobPage#nextCursor()} to {@link
 * Builder#after(JobId)}.
 *
 * @param statuses the statuses to include; empty for all
 * @param type the type to include, or null for all
 * @param queue the queue to include, or null for all
 * @param after only jobs with a larger id than this, or null from the start
 * @param limit the most jobs in a page, from 1 to {@value #MAX_LIMIT}
 */
public record JobQuery(Set<JobStatus> statuses, String type, String queue, JobId after, int limit) {

  /** The page size unless set. */
  public static final int DEFAULT_LIMIT = 100;
  /** The largest page. */
  public static final int MAX_LIMIT = 1000;

  /**
   * Checks the query.
   *
   * @throws IllegalArgumentException if the limit is out of range or a name is invalid
   */
  public JobQuery {
    statuses = statuses.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(statuses));
    if (type != null) {
      JobNames.requireType(type);
    }
    if (queue != null) {
      JobNames.requireQueue(queue);
    }
    requireLimit(limit);
  }

  /**
   * All jobs, first page.
   *
   * @return a query with no filters
   */
  public static JobQuery all() {
    return builder().build();
  }

  /**
   * @return a new builder with no filters
   */
  public static Builder builder() {
    return new Builder();
  }

  private static void requireLimit(int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new IllegalArgumentException(
          "limit must be between 1 and " + MAX_LIMIT + ", got " + limit);
    }
  }

  /** Builds a {@link JobQuery}. Not thread-safe. */
  public static final class Builder {
    private final Set<JobStatus> statuses = EnumSet.noneOf(JobStatus.class);
    private String type;
    private String queue;
    private JobId after;
    private int limit = DEFAULT_LIMIT;

    private Builder() {}

    /**
     * Includes jobs in these statuses; adds to those given before.
     *
     * @param statuses the statuses
     * @return this builder
     */
    public Builder status(JobStatus... statuses) {
      for (JobStatus s : statuses) {
        this.statuses.add(Objects.requireNonNull(s, "status"));
      }
      return this;
    }

    /**
     * @param type only jobs of this type
     * @return this builder
     */
    public Builder type(String type) {
      this.type = JobNames.requireType(type);
      return this;
    }

    /**
     * @param queue only jobs in this queue
     * @return this builder
     */
    public Builder queue(String queue) {
      this.queue = JobNames.requireQueue(queue);
      return this;
    }

    /**
     * @param after only jobs after this id: the cursor of the previous page
     * @return this builder
     */
    public Builder after(JobId after) {
      this.after = Objects.requireNonNull(after, "after");
      return this;
    }

    /**
     * @param limit the page size, from 1 to {@value #MAX_LIMIT}
     * @return this builder
     */
    public Builder limit(int limit) {
      requireLimit(limit);
      this.limit = limit;
      return this;
    }

    /**
     * @return the query
     */
    public JobQuery build() {
      return new JobQuery(statuses, type, queue, after, limit);
    }
  }
}
