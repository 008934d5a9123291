package io.jobengine.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SettableClockTest {

  private static final Instant START = Instant.parse("2030-01-01T08:00:00Z");

  private final SettableClock clock = new SettableClock(START);

  @Test
  void stands_still_until_moved() {
    assertThat(clock.instant()).isEqualTo(START);
    assertThat(clock.millis()).isEqualTo(START.toEpochMilli());
    assertThat(clock.getZone()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  void advance_moves_it_forward_and_returns_the_new_time() {
    assertThat(clock.advance(Duration.ofMinutes(10))).isEqualTo(START.plusSeconds(600));
    assertThat(clock.instant()).isEqualTo(START.plusSeconds(600));
  }

  @Test
  void advance_refuses_a_negative_duration() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("use set(Instant)");
    assertThat(clock.instant()).isEqualTo(START);
  }

  @Test
  void set_moves_it_to_any_time() {
    clock.set(START.minusSeconds(60));

    assertThat(clock.instant()).isEqualTo(START.minusSeconds(60));
  }

  @Test
  void a_view_in_another_zone_shares_its_time() {
    Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
    clock.advance(Duration.ofSeconds(5));

    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    assertThat(paris.instant()).isEqualTo(START.plusSeconds(5));
    assertThat(clock.withZone(ZoneOffset.UTC)).isSameAs(clock);
  }
}
