package io.jobengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JobRequestTest {

  @Test
  void defaults_are_the_default_queue_priority_zero_and_no_delay() {
    JobRequest r = JobRequest.of("send-mail", "hello");
    assertThat(r.queue()).isEqualTo("default");
    assertThat(r.priority()).isZero();
    assertThat(r.delay()).isEqualTo(Duration.ZERO);
    assertThat(r.runAt()).isNull();
    assertThat(r.maxAttempts()).isNull();
    assertThat(r.id()).isNotNull();
  }

  @Test
  void each_request_gets_its_own_id_and_to_builder_keeps_it() {
    JobRequest a = JobRequest.of("t", null);
    JobRequest b = JobRequest.of("t", null);
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.toBuilder().priority(5).build().id()).isEqualTo(a.id());
  }

  @Test
  void null_or_blank_type_is_rejected_with_the_rule() {
    assertThatThrownBy(() -> JobRequest.builder(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job type is null");
    assertThatThrownBy(() -> JobRequest.builder("   "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("job type is blank");
    assertThatThrownBy(() -> JobRequest.builder("send mail!"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'send mail!'");
  }

  @Test
  void invalid_queue_name_is_rejected_naming_it() {
    assertThatThrownBy(() -> JobRequest.builder("t").queue("bad queue;drop"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid queue name 'bad queue;drop'")
        .hasMessageContaining(JobNames.QUEUE.pattern());
  }

  @Test
  void negative_delay_is_rejected_naming_it() {
    assertThatThrownBy(() -> JobRequest.builder("t").delay(Duration.ofSeconds(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-5S");
  }

  @Test
  void run_at_and_delay_exclude_each_other() {
    assertThatThrownBy(
            () -> JobRequest.builder("t").delay(Duration.ofSeconds(1)).runAt(Instant.EPOCH))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("either runAt or delay");
    assertThatThrownBy(
            () -> JobRequest.builder("t").runAt(Instant.EPOCH).delay(Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void out_of_range_numbers_are_rejected_naming_them() {
    assertThatThrownBy(() -> JobRequest.builder("t").priority(5000))
        .hasMessageContaining("got 5000");
    assertThatThrownBy(() -> JobRequest.builder("t").maxAttempts(0))
        .hasMessageContaining("got 0");
    assertThatThrownBy(() -> JobRequest.builder("t").timeout(Duration.ZERO))
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(() -> JobRequest.builder("t").uniqueKey("x".repeat(201)))
        .hasMessageContaining("at most 200");
  }

  @Test
  void a_delay_of_thousands_of_years_is_refused_up_front_with_the_bound() {
    Duration tenThousandYears = Duration.ofDays(365L * 10_000);
    assertThatThrownBy(() -> JobRequest.builder("t").delay(tenThousandYears))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(tenThousandYears.toString())
        .hasMessageContaining(JobRequest.LATEST_RUN_AT.toString());
    assertThatThrownBy(() -> JobRequest.builder("t").delay(Duration.ofSeconds(Long.MAX_VALUE)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(JobRequest.LATEST_RUN_AT.toString());
    assertThat(JobRequest.builder("t").delay(Duration.ofDays(365L * 100)).build().delay())
        .isEqualTo(Duration.ofDays(365L * 100));
  }

  @Test
  void run_at_and_delay_share_one_bound() {
    Instant late = JobRequest.LATEST_RUN_AT.plusNanos(1_000);
    assertThatThrownBy(() -> JobRequest.builder("t").runAt(late))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(late.toString())
        .hasMessageContaining(JobRequest.LATEST_RUN_AT.toString());
    assertThatThrownBy(() -> JobRequest.builder("t").runAt(Instant.parse("0999-12-31T23:59:59Z")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(JobRequest.EARLIEST_RUN_AT.toString());
    assertThat(JobRequest.builder("t").runAt(JobRequest.LATEST_RUN_AT).build().runAt())
        .isEqualTo(JobRequest.LATEST_RUN_AT);
  }

  @Test
  void the_spi_job_applies_the_same_bounds() {
    assertThatThrownBy(
            () ->
                new io.jobengine.spi.NewJob(
                    JobId.generate(), "t", "default", 0, "{}", null,
                    Duration.ofDays(365L * 10_000), 3, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(JobRequest.LATEST_RUN_AT.toString());
  }

  @Test
  void a_rejected_unique_key_is_echoed_without_line_breaks() {
    assertThatThrownBy(() -> JobRequest.builder("t").uniqueKey("k\n".repeat(150)))
        .isInstanceOf(IllegalArgumentException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"))
        .hasMessageContaining("'k\\nk\\n");
  }
}
