package io.jobengine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobNamesTest {

  @Test
  void quote_escapes_line_breaks_and_other_control_characters() {
    assertThat(JobNames.quote("a\nb\rc\td\u001be\\f\u2028g")).isEqualTo("'a\\nb\\rc\\td\\u001be\\\\f\\u2028g'");
    assertThat(JobNames.quote("plain name-1")).isEqualTo("'plain name-1'");
    assertThat(JobNames.quote(null)).isEqualTo("null");
  }

  @Test
  void quote_cuts_long_values_saying_so() {
    String quoted = JobNames.quote("x".repeat(10_000));
    assertThat(quoted)
        .startsWith("'" + "x".repeat(JobNames.MAX_QUOTED_LENGTH) + "'")
        .endsWith("(cut after 200 of 10000 characters)");
  }

  @Test
  void a_rejected_name_with_line_breaks_is_echoed_on_one_line() {
    assertThatThrownBy(() -> JobNames.requireNode("worker\n2026-01-01 INFO forged line\r"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'worker\\n2026-01-01 INFO forged line\\r'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    assertThatThrownBy(() -> JobNames.requireType("a\r\nb"))
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
    assertThatThrownBy(() -> JobId.parse("not\nan id"))
        .hasMessageContaining("'not\\nan id'")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
