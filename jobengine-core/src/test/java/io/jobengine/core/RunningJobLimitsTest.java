package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.testing.InMemoryJobStore;
import io.jobengine.JobClient;
import io.jobengine.JobContext;
import io.jobengine.JobHandler;
import io.jobengine.JobRequest;
import io.jobengine.spi.ClaimRequest;
import io.jobengine.spi.ClaimedJob;
import io.jobengine.spi.ProgressUpdate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 9, defect 2: every text a handler hands the engine is bounded where it enters. */
class RunningJobLimitsTest {

  private final RunningJob job = running();

  private static RunningJob running() {
    InMemoryJobStore store = InMemoryJobStore.create();
    JobClient.of(store).enqueue(JobRequest.of("t", "x"));
    ClaimedJob claimed =
        store.claim(new ClaimRequest("node-1", "default", Set.of("t"), 1, Duration.ofMinutes(1))).get(0);
    return new RunningJob(claimed, JobHandler.of("t", String.class, (p, ctx) -> {}), null, System.nanoTime());
  }

  @Test
  void a_twenty_megabyte_warning_is_cut_to_the_limit_with_a_visible_mark() {
    job.warn("w".repeat(20 * 1024 * 1024));

    assertThat(job.warnings()).singleElement().asString()
        .hasSize(JobContext.MAX_WARNING_LENGTH)
        .endsWith(Texts.MARK);
  }

  @Test
  void a_twenty_megabyte_progress_message_is_cut_to_the_limit() {
    job.progress(50, "p".repeat(20 * 1024 * 1024));

    ProgressUpdate report = job.takeReport();
    assertThat(report.message()).hasSize(JobContext.MAX_PROGRESS_MESSAGE_LENGTH).endsWith(Texts.MARK);
  }

  @Test
  void warnings_past_the_count_are_counted_in_a_last_note_not_kept() {
    for (int i = 0; i < JobContext.MAX_WARNINGS + 25; i++) {
      job.warn("warning " + i);
    }

    List<String> warnings = job.warnings();
    assertThat(warnings).hasSize(JobContext.MAX_WARNINGS + 1);
    assertThat(warnings.get(JobContext.MAX_WARNINGS - 1)).isEqualTo("warning " + (JobContext.MAX_WARNINGS - 1));
    assertThat(warnings.get(JobContext.MAX_WARNINGS)).startsWith("... and 25 more warning(s) not kept");
    assertThat(job.takeReport().warnings()).isEqualTo(warnings);
  }

  @Test
  void warnings_past_the_total_size_are_cut_then_dropped_and_the_total_stays_bounded() {
    for (int i = 0; i < 50; i++) {
      job.warn("x".repeat(JobContext.MAX_WARNING_LENGTH));
    }

    List<String> warnings = job.warnings();
    assertThat(warnings.stream().mapToInt(String::length).sum())
        .isLessThanOrEqualTo(JobContext.MAX_WARNINGS_TOTAL_LENGTH);
    assertThat(warnings.get(warnings.size() - 1)).contains("more warning(s) not kept");
    assertThat(warnings).allMatch(w -> w.length() <= JobContext.MAX_WARNING_LENGTH);
  }
}
