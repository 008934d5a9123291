package io.jobengine.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.RetryPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClaimRequestTest {

  private static final Duration LEASE = Duration.ofSeconds(30);

  @Test
  void max_attempts_are_given_for_exactly_the_requested_types() {
    ClaimRequest request =
        new ClaimRequest("n", "default", Set.of("a", "b"), 5, LEASE, Map.of("a", 2, "b", 7));
    assertThat(request.maxAttemptsOf("a")).isEqualTo(2);
    assertThat(request.maxAttemptsOf("b")).isEqualTo(7);
    assertThatThrownBy(() -> request.maxAttemptsOf("c"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'c'");

    assertThatThrownBy(
            () -> new ClaimRequest("n", "default", Set.of("a", "b"), 5, LEASE, Map.of("a", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("each type");
    assertThatThrownBy(
            () -> new ClaimRequest("n", "default", Set.of("a"), 5, LEASE, Map.of("a", 0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1, got 0");
  }

  @Test
  void the_short_constructors_give_every_type_the_default_max_attempts() {
    ClaimRequest request = new ClaimRequest("n", "default", Set.of("a", "b"), 5, LEASE);
    assertThat(request.maxAttempts())
        .containsOnly(
            Map.entry("a", RetryPolicy.DEFAULT_MAX_ATTEMPTS),
            Map.entry("b", RetryPolicy.DEFAULT_MAX_ATTEMPTS));
  }
}
