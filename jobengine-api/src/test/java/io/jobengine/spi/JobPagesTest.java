package io.jobengine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobPage;
import io.jobengine.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobPagesTest {

  private static List<JobInfo> jobs(int n) {
    Instant t = Instant.parse("2030-01-01T00:00:00Z");
    List<JobInfo> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      jobs.add(
          new JobInfo(
              JobId.generate(), "t", "default", JobStatus.PENDING, 0, "{}", t, 0, 5, null, null,
              null, null, false, null, null, List.of(), null, t, null, null, t));
    }
    return jobs;
  }

  @Test
  void up_to_limit_jobs_make_the_last_page() {
    List<JobInfo> read = jobs(3);

    JobPage page = JobPages.of(read, 3);

    assertThat(page.jobs()).isEqualTo(read);
    assertThat(page.next()).isEmpty();
  }

  @Test
  void one_more_than_the_limit_is_left_out_and_the_last_job_on_the_page_is_the_cursor() {
    List<JobInfo> read = jobs(4);

    JobPage page = JobPages.of(read, 3);

    assertThat(page.jobs()).isEqualTo(read.subList(0, 3));
    assertThat(page.next()).contains(read.get(2).id());
  }

  @Test
  void more_than_one_extra_job_or_a_limit_below_one_is_refused() {
    assertThatThrownBy(() -> JobPages.of(jobs(5), 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most limit + 1 = 4");
    assertThatThrownBy(() -> JobPages.of(jobs(0), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit must be at least 1");
  }
}
