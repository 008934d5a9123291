package io.jobengine.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobId;
import io.jobengine.JobInfo;
import io.jobengine.JobRequest;
import io.jobengine.JobStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 9, defect 4: values that carry a payload print without it, for whoever logs them. */
class PayloadToStringTest {

  private static final String SECRET = "s3cr3t-m4rk3r";
  private static final String JSON = "{\"password\":\"" + SECRET + "\"}";

  @Test
  void jobs_and_requests_print_without_their_payload() {
    JobId id = JobId.generate();
    Instant now = Instant.parse("2026-12-01T00:00:00Z");
    List<Object> values =
        List.of(
            JobRequest.of("t", SECRET),
            new NewJob(id, "t", "default", 0, JSON, null, Duration.ZERO, null, null, null),
            new ClaimedJob(new Lease(id, "n", 1), "t", "default", JSON, 1, 3, null, 0, now),
            new JobInfo(
                id, "t", "default", JobStatus.PENDING, 0, JSON, now, 0, null, null, null, null,
                null, false, null, null, List.of(), null, now, null, null, now));
    for (Object value : values) {
      assertThat(value.toString()).doesNotContain(SECRET);
    }
    assertThat(values.get(1).toString()).contains(JSON.length() + " chars");
  }
}
