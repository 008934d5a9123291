package io.jobengine.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.jobengine.JobContext;
import org.junit.jupiter.api.Test;

class ErrorTextTest {

  /** An exception that cannot be printed: its toString() and getMessage() throw. */
  static final class Unprintable extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unprintable(Throwable cause) {
      super(cause);
    }

    @Override
    public String getMessage() {
      throw new IllegalStateException("getMessage refuses");
    }

    @Override
    public String toString() {
      throw new IllegalStateException("toString refuses");
    }
  }

  /** Every accessor a renderer may call throws. */
  static final class Hostile extends RuntimeException {
    private static final long serialVersionUID = 1L;

    @Override
    public String getMessage() {
      throw new UnsupportedOperationException();
    }

    @Override
    public String toString() {
      throw new UnsupportedOperationException();
    }

    @Override
    public synchronized Throwable getCause() {
      throw new UnsupportedOperationException();
    }

    @Override
    public StackTraceElement[] getStackTrace() {
      throw new UnsupportedOperationException();
    }
  }

  static RuntimeException causeChain(int depth) {
    RuntimeException e = new RuntimeException("root cause");
    for (int i = 1; i < depth; i++) {
      e = new RuntimeException("level " + i, e);
    }
    return e;
  }

  @Test
  void an_exception_whose_to_string_and_get_message_throw_is_described_by_its_class_name() {
    String text = ErrorText.describe(new Unprintable(new IllegalArgumentException("the real cause")));

    assertThat(text)
        .startsWith(Unprintable.class.getName())
        .contains("toString() threw java.lang.IllegalStateException")
        .contains("getMessage() threw java.lang.IllegalStateException")
        .contains("\tat io.jobengine.core.ErrorTextTest")
        .contains("Caused by: java.lang.IllegalArgumentException: the real cause");
  }

  @Test
  void an_exception_all_of_whose_accessors_throw_is_still_described() {
    assertThat(ErrorText.describe(new Hostile())).startsWith(Hostile.class.getName());
  }

  @Test
  void a_cause_chain_twenty_thousand_deep_is_cut_after_the_bounded_depth() {
    String text = ErrorText.describe(causeChain(20_000));

    assertThat(text)
        .startsWith("java.lang.RuntimeException: level 19999")
        .contains("Caused by: java.lang.RuntimeException: level " + (19_999 - ErrorText.MAX_CAUSES))
        .doesNotContain("level " + (19_999 - ErrorText.MAX_CAUSES - 1) + "\n")
        .endsWith("... further causes not shown");
    assertThat(text.length()).isLessThanOrEqualTo(JobContext.MAX_ERROR_LENGTH);
  }

  @Test
  void a_cyclic_cause_chain_is_shown_once_and_marked() {
    IllegalStateException a = new IllegalStateException("a");
    IllegalArgumentException b = new IllegalArgumentException("b", a);
    a.initCause(b);

    String text = ErrorText.describe(a);

    assertThat(text)
        .startsWith("java.lang.IllegalStateException: a")
        .contains("Caused by: java.lang.IllegalArgumentException: b")
        .endsWith("Caused by: [CIRCULAR REFERENCE: java.lang.IllegalStateException: a]");
  }

  @Test
  void a_huge_message_is_cut_in_its_headline_with_a_visible_mark() {
    String text = ErrorText.describe(new RuntimeException("x".repeat(5_000_000)));

    String headline = text.substring(0, text.indexOf('\n'));
    assertThat(headline).hasSize(ErrorText.MAX_LINE_LENGTH).endsWith(Texts.MARK);
    assertThat(text.length()).isLessThanOrEqualTo(JobContext.MAX_ERROR_LENGTH);
  }

  @Test
  void the_whole_text_is_cut_to_the_limit_with_a_visible_mark() {
    String text = ErrorText.describe(causeChain(50), 500);

    assertThat(text).hasSize(500).endsWith(Texts.MARK);
  }

  @Test
  void suppressed_exceptions_are_bounded() {
    RuntimeException top = new RuntimeException("top");
    for (int i = 0; i < 50; i++) {
      top.addSuppressed(new IllegalStateException("suppressed " + i));
    }

    String text = ErrorText.describe(top);

    assertThat(text)
        .contains("\tSuppressed: java.lang.IllegalStateException: suppressed 0")
        .contains("\tSuppressed: java.lang.IllegalStateException: suppressed " + (ErrorText.MAX_SUPPRESSED - 1))
        .doesNotContain("suppressed " + ErrorText.MAX_SUPPRESSED + "\n")
        .contains("... " + (50 - ErrorText.MAX_SUPPRESSED) + " more suppressed");
  }

  @Test
  void frames_shared_with_the_enclosing_trace_are_elided_like_print_stack_trace_does() {
    RuntimeException cause = new RuntimeException("inner");
    RuntimeException top = new RuntimeException("outer", cause);

    String text = ErrorText.describe(top);

    assertThat(text).contains("Caused by: java.lang.RuntimeException: inner").containsPattern("\t\\.\\.\\. \\d+ more");
  }

  @Test
  void a_plain_exception_reads_like_a_stack_trace() {
    String text = ErrorText.describe(new IllegalStateException("boom"));

    assertThat(text).startsWith("java.lang.IllegalStateException: boom\n\tat io.jobengine.core.ErrorTextTest.");
  }
}
