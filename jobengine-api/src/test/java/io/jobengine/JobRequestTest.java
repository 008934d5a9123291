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
}
