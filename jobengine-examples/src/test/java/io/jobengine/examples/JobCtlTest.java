package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobClient;
import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.testing.InMemoryJobStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The CLI's enqueue, without a database: issue 9, defects 4 and 10. */
class JobCtlTest {

  private final InMemoryJobStore store = InMemoryJobStore.create();
  private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
  private final JobCtl ctl =
      new JobCtl(JobClient.of(store), new PrintStream(printed, true, StandardCharsets.UTF_8));

  @Test
  void enqueue_of_malformed_json_says_where_without_echoing_the_payload() {
    assertThatThrownBy(() -> ctl.run(new String[] {"enqueue", "t", "{\"key\": s3cr3t-m4rk3r}"}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not JSON")
        .hasMessageContaining("line 1, column")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("s3cr3t"));
  }

  @Test
  void enqueue_leaves_max_attempts_to_the_handler_that_claims_the_job() {
    assertThat(ctl.run(new String[] {"enqueue", "t", "{\"n\": 1}"})).isZero();

    JobId id = JobId.parse(printed.toString(StandardCharsets.UTF_8).strip());
    JobInfo job = store.get(id).orElseThrow();
    assertThat(job.payload()).isEqualTo("{\"n\":1}");
    assertThat(job.maxAttempts()).as("unset until the first claim, not 5").isNull();
  }
}
