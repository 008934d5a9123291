package io.jobengine.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jobengine.JobClient;
import io.jobengine.testing.InMemoryJobStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The CLI's and the worker's errors echo a rejected value on one line (issue 9, item 12). */
class CliMessagesTest {
  private static final String FORGED = "x\n2026-01-01 INFO forged\r";

  private final JobCtl ctl =
      new JobCtl(
          JobClient.of(InMemoryJobStore.create()),
          new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));

  @Test
  void jobctl_errors_escape_line_breaks_in_what_they_echo() {
    assertOneLine(() -> ctl.run(new String[] {FORGED}), "'x\\n2026-01-01 INFO forged\\r'");
    assertOneLine(() -> ctl.run(new String[] {"show", FORGED}), "'x\\n2026");
    assertOneLine(() -> ctl.run(new String[] {"jobs", "--limit", FORGED}), "--limit");
    assertOneLine(() -> ctl.run(new String[] {"jobs", "--status", FORGED}), "--status");
    assertOneLine(() -> ctl.run(new String[] {"jobs", FORGED, "1"}), "'x\\n2026");
    assertOneLine(() -> ctl.run(new String[] {"enqueue", FORGED, "{}"}), "'x\\n2026");
    assertOneLine(() -> ctl.run(new String[] {"enqueue", "t", "{\n\"a\": nope\r\n}"}), "not JSON");
    assertOneLine(
        () -> ctl.run(new String[] {"enqueue", "t", "{}", "--delay", FORGED}), "--delay");
  }

  @Test
  void option_errors_escape_line_breaks_in_what_they_echo() {
    assertOneLine(() -> ExampleOptions.parse(new String[] {FORGED, "v"}), "'x\\n2026");
    assertOneLine(
        () -> ExampleOptions.parse(new String[] {"--jdbc-url", "u", "--table-prefix", FORGED}),
        "'x\\n2026");
    assertOneLine(
        () -> WorkerMain.WorkerOptions.parse(new String[] {"--queues", FORGED}), "'x\\n2026");
    assertOneLine(
        () -> WorkerMain.WorkerOptions.parse(new String[] {"--queues", "a:" + FORGED}), "'x\\n2026");
  }

  private static void assertOneLine(ThrowingCallable call, String expected) {
    assertThatThrownBy(call)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(expected)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "\r"));
  }
}
