package io.jobengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobIdTest {

  @Test
  void generated_ids_are_version_7_and_carry_the_clock_time() {
    Instant now = Instant.parse("2026-11-28T10:15:30.123Z");
    JobId id = JobId.generate(Clock.fixed(now, ZoneOffset.UTC));
    assertThat(id.value().version()).isEqualTo(7);
    assertThat(id.value().variant()).isEqualTo(2);
    assertThat(id.timestampMillis()).isEqualTo(now.toEpochMilli());
  }

  @Test
  void ids_of_later_milliseconds_sort_after_earlier_ones_as_values_and_as_bytes() {
    JobId earlier = JobId.generate(Clock.fixed(Instant.ofEpochMilli(1_000), ZoneOffset.UTC));
    JobId later = JobId.generate(Clock.fixed(Instant.ofEpochMilli(1_001), ZoneOffset.UTC));
    assertThat(earlier).isLessThan(later);
    assertThat(java.util.Arrays.compareUnsigned(earlier.toBytes(), later.toBytes())).isNegative();
  }

  @Test
  void ids_round_trip_through_text_and_bytes() {
    JobId id = JobId.generate();
    assertThat(JobId.parse(id.toString())).isEqualTo(id);
    assertThat(JobId.fromBytes(id.toBytes())).isEqualTo(id);
  }

  @Test
  void ids_generated_in_the_same_millisecond_are_distinct() {
    Clock fixed = Clock.fixed(Instant.ofEpochMilli(42), ZoneOffset.UTC);
    Set<JobId> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      ids.add(JobId.generate(fixed));
    }
    assertThat(ids).hasSize(10_000);
  }

  @Test
  void rejects_other_uuid_versions_and_bad_text_naming_the_value() {
    assertThatThrownBy(() -> new JobId(UUID.randomUUID()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("version 4");
    assertThatThrownBy(() -> JobId.parse("not-a-uuid"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'not-a-uuid'");
    assertThatThrownBy(() -> JobId.fromBytes(new byte[3]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("got 3");
  }
}
