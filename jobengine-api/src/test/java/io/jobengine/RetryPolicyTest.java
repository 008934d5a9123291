package io.jobengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private final RetryPolicy policy =
      RetryPolicy.builder()
          .initialDelay(Duration.ofSeconds(1))
          .multiplier(2)
          .maxDelay(Duration.ofSeconds(10))
          .jitter(0.5)
          .build();

  @Test
  void delay_grows_exponentially_and_is_capped() {
    assertThat(policy.delayAfter(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delayAfter(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
    assertThat(policy.delayAfter(3, 0.5)).isEqualTo(Duration.ofSeconds(4));
    assertThat(policy.delayAfter(4, 0.5)).isEqualTo(Duration.ofSeconds(8));
    assertThat(policy.delayAfter(5, 0.5)).isEqualTo(Duration.ofSeconds(10));
    assertThat(policy.delayAfter(60, 0.5)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void jitter_spreads_the_delay_by_at_most_its_fraction_either_way() {
    assertThat(policy.delayAfter(2, 0.0)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delayAfter(2, 0.999_999))
        .isBetween(Duration.ofMillis(2_999), Duration.ofSeconds(3));
  }

  @Test
  void non_retryable_types_match_subtypes() {
    RetryPolicy p = RetryPolicy.builder().nonRetryable(IllegalArgumentException.class).build();
    assertThat(p.isRetryable(new NumberFormatException())).isFalse();
    assertThat(p.isRetryable(new UncheckedIOException(new java.io.IOException()))).isTrue();
  }

  @Test
  void invalid_values_are_rejected_naming_them() {
    assertThatThrownBy(() -> RetryPolicy.builder().maxAttempts(0)).hasMessageContaining("got 0");
    assertThatThrownBy(() -> RetryPolicy.builder().multiplier(0.5)).hasMessageContaining("0.5");
    assertThatThrownBy(() -> RetryPolicy.builder().jitter(1.5)).hasMessageContaining("1.5");
    assertThatThrownBy(
            () -> RetryPolicy.builder().initialDelay(Duration.ofMinutes(2))
                .maxDelay(Duration.ofMinutes(1)).build())
        .hasMessageContaining("PT1M")
        .hasMessageContaining("PT2M");
  }
}
