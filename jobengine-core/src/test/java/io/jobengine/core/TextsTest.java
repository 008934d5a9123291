package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextsTest {

  @Test
  void a_short_text_is_kept_as_it_is() {
    assertThat(Texts.cut("abc", 100)).isEqualTo("abc");
    assertThat(Texts.cut(null, 100)).isNull();
  }

  @Test
  void a_long_text_is_cut_to_the_limit_ending_in_the_mark() {
    String cut = Texts.cut("y".repeat(1000), 100);

    assertThat(cut).hasSize(100).endsWith(Texts.MARK).startsWith("yyyy");
  }

  @Test
  void a_cut_never_splits_a_surrogate_pair() {
    String emoji = "\uD83D\uDE00";
    String text = "a".repeat(100 - Texts.MARK.length() - 1) + emoji + "tail".repeat(10);

    String cut = Texts.cut(text, 100);

    assertThat(cut).endsWith("a" + Texts.MARK);
    assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - Texts.MARK.length() - 1))).isFalse();
  }
}
